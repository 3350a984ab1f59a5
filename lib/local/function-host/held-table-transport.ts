/**
 * An execution environment's DynamoDB requests for a table the runtime's gateway holds itself (the idempotency
 * table, aws-stores/durable-table.ts) go to the gateway over a message port instead of a loopback socket.
 *
 * Why: with idempotency on, each invocation makes five DynamoDB calls (a claim transaction, four batches of
 * COMPLETED marks) and a profile of 50,000 records through the pipeline showed the HTTP work around them — the
 * client's request and socket writes in the environment, the gateway's parsing and answer writes in the main
 * thread — costing more CPU than the table itself. Nothing else changes: the AWS SDK still builds, signs and
 * retries the request and parses the answer (only its last step, `NodeHttpHandler.handle`, is replaced for these
 * requests), and the gateway answers with the code and the bytes it writes over HTTP (AwsGateway.answerInProcess).
 * Every other request — another table, another service, a streamed body, an aborted call, no gateway in this
 * process — takes the socket as before, and so does one the gateway declines or fails to answer here.
 */
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  endpointAddress,
  type InProcessAnswer,
  type InProcessRequest,
  inProcessAnswerer,
} from '../aws-stores/in-process-answers.ts';

/** What a worker needs to use the transport (in its workerData; the port is transferred). */
export interface HeldTableTransportInit {
  port: MessagePort;
  /** `host:port` of the gateway, as the environment's AWS_ENDPOINT_URL names it. */
  address: string;
  /** The tables the gateway holds. */
  tables: string[];
}

interface TransportRequest {
  id: number;
  request: InProcessRequest;
}

/** No answer: the worker sends the request over HTTP after all. */
interface TransportReply {
  id: number;
  answer?: InProcessAnswer;
}

/**
 * Host side: the transport for a worker whose AWS endpoint is `endpointUrl`, or undefined when no gateway of
 * this process serves there (then the worker uses HTTP only). `close` ends it with the worker.
 */
export function heldTableTransport(
  endpointUrl: string | undefined,
): { init: HeldTableTransportInit; close: () => void } | undefined {
  const address = endpointUrl === undefined ? undefined : endpointAddress(endpointUrl);
  const answerer = address === undefined ? undefined : inProcessAnswerer(address);
  if (address === undefined || answerer === undefined || answerer.heldTables.length === 0) return undefined;
  const { port1, port2 } = new MessageChannel();
  port1.on('message', ({ id, request }: TransportRequest) => {
    // Looked up per request: a gateway stopped since (a test's, a restart's) is not answered for.
    const answering = inProcessAnswerer(address)?.answerInProcess(request) ?? Promise.resolve(undefined);
    void answering
      .catch(() => undefined)
      .then((answer) => port1.postMessage({ id, answer } satisfies TransportReply));
  });
  // The environments' ports never keep the runtime's process alive.
  port1.unref();
  return { init: { port: port2, address, tables: [...answerer.heldTables] }, close: () => port1.close() };
}

interface SdkHttpRequest {
  hostname?: string;
  port?: number;
  headers: Record<string, string>;
  body?: unknown;
}

type Handle = (
  this: unknown,
  request: SdkHttpRequest,
  options?: { abortSignal?: { aborted?: boolean } },
) => Promise<{ response: unknown }>;

let installed = false;

/**
 * Worker side: routes the held tables' requests through `init.port`; true when in use. Installed before the
 * handler loads, on the copy of @smithy/node-http-handler this thread resolves (the AWS SDK's); a handler whose
 * SDK uses another copy keeps HTTP.
 */
export function installHeldTableTransport(init: HeldTableTransportInit): boolean {
  if (installed) return true;
  let prototype: { handle?: Handle } | undefined;
  try {
    prototype = createRequire(import.meta.url)('@smithy/node-http-handler').NodeHttpHandler?.prototype;
  } catch {
    return false;
  }
  const original = prototype?.handle;
  if (!prototype || typeof original !== 'function') return false;
  const pending = new Map<number, (reply: TransportReply) => void>();
  let nextId = 1;
  init.port.on('message', (reply: TransportReply) => {
    const settle = pending.get(reply.id);
    pending.delete(reply.id);
    settle?.(reply);
  });
  init.port.unref();
  /** The request as the gateway reads it, when it names a held table. */
  const forHeldTable = (request: SdkHttpRequest): InProcessRequest | undefined => {
    if (`${request.hostname}:${request.port}` !== init.address) return undefined;
    const target = request.headers['x-amz-target'];
    if (!target?.startsWith('DynamoDB_')) return undefined;
    // The SDK's serializer writes bytes; the idempotency store's (functions/sdk/dynamodb-plain-json.ts) a string.
    const { body } = request;
    const text =
      typeof body === 'string'
        ? body
        : body instanceof Uint8Array
          ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
          : undefined;
    if (text === undefined || !init.tables.some((table) => text.includes(`"${table}"`))) return undefined;
    return { target, headers: request.headers, body: text };
  };
  prototype.handle = function handle(request, options) {
    const held = options?.abortSignal?.aborted ? undefined : forHeldTable(request);
    if (!held) return original.call(this, request, options);
    return new Promise<TransportReply>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      init.port.postMessage({ id, request: held } satisfies TransportRequest);
    }).then(({ answer }) =>
      answer === undefined
        ? original.call(this, request, options)
        : {
            response: {
              statusCode: answer.status,
              headers: answer.headers,
              body: Buffer.from(answer.body),
            },
          },
    );
  };
  installed = true;
  return true;
}
