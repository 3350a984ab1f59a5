/** Messages between a FunctionHost and its worker threads. */
import type { FunctionIdentity } from './context.ts';
import type { HeldTableTransportInit } from './held-table-transport.ts';

export interface WorkerInit {
  /** Absolute path of the handler module. */
  handlerFile: string;
  /** The module actually imported: the handler's bundle, set in the worker when there is one. */
  handlerModule?: string;
  /** Why the handler does not build (set in the worker): its init fails with this, nothing is imported. */
  handlerBuildProblem?: string;
  /** Export to call. @default 'handler' */
  handlerName: string;
  identity: FunctionIdentity;
  /** `stratus invoke`: record outputs and print lines per invocation (see FunctionHostOptions.capture). */
  capture?: { produce: boolean };
  /** The held tables' port to the gateway, when the gateway runs in this process (held-table-transport.ts). */
  heldTables?: HeldTableTransportInit;
}

/** What one invocation printed and produced, in capture mode. */
export interface InvocationCapture {
  /** Whole lines the function printed (stdout and stderr). */
  lines: string[];
  /** Outputs and dead letters, keys as UTF-8. */
  published: Array<{ topic: string; key: string | null; value: string; headers: Record<string, string> }>;
}

/** The host's first message to a new worker: the bundles to load, or none (load through tsx). */
export interface LoadMessage {
  load: { worker?: string; handler?: string; handlerBuildProblem?: string };
}

export interface InvokeRequest {
  id: number;
  event: unknown;
  awsRequestId: string;
  /** Epoch ms when the invocation times out. */
  deadline: number;
}

export type InvokeReply = (
  | { id: number; ok: true; response: unknown }
  | { id: number; ok: false; error: { class: string; message: string; stack?: string } }
) & { capture?: InvocationCapture };
