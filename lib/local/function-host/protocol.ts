/** Messages between a FunctionHost and its worker threads. */
import type { FunctionIdentity } from './context.ts';

export interface WorkerInit {
  /** Absolute path of the handler module. */
  handlerFile: string;
  /** Export to call. @default 'handler' */
  handlerName: string;
  identity: FunctionIdentity;
}

export interface InvokeRequest {
  id: number;
  event: unknown;
  awsRequestId: string;
  /** Epoch ms when the invocation times out. */
  deadline: number;
}

export type InvokeReply =
  | { id: number; ok: true; response: unknown }
  | { id: number; ok: false; error: { class: string; message: string; stack?: string } };
