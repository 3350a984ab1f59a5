/**
 * Inside a worker thread: one Lambda "container". The handler module is imported once (init phase), its
 * module state lives as long as the worker, and invocations run one at a time, as in a Lambda execution
 * environment (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { lambdaContext } from './context.ts';
import { installHeldTableTransport } from './held-table-transport.ts';
import { installKafkajsSpeedups } from './kafkajs-speedups.ts';
import type { InvocationCapture, InvokeReply, InvokeRequest, WorkerInit } from './protocol.ts';

type Handler = (event: unknown, context: unknown) => unknown;

const init = workerData as WorkerInit;
const port = parentPort!;

// Before the handler's module loads kafkajs' producer: the environment's outputs cost less CPU, same bytes.
installKafkajsSpeedups();
// Before the handler's module loads the AWS SDK: the held tables' requests skip the loopback socket.
if (init.heldTables) installHeldTableTransport(init.heldTables);

// Capture mode (`stratus invoke`): outputs and dead letters are recorded (and produced only when asked), and
// idempotency keys live in memory for this one container, so an invoke never marks dev's records as done.
// Imported only then: an environment of `stratus dev` does not load what it never uses.
const capture = init.capture ? await import('./worker-capture.ts') : undefined;
const recorder = capture?.installRecorder(init.capture!.produce);
const captureLines = capture?.captureLines;

function importHandler(): Promise<Handler> {
  if (init.handlerBuildProblem !== undefined) {
    const error = new Error(init.handlerBuildProblem);
    error.name = 'Runtime.ImportModuleError';
    return Promise.reject(error);
  }
  return import(pathToFileURL(init.handlerModule ?? init.handlerFile).href).then((module) => {
    const handler = module[init.handlerName] ?? module.default?.[init.handlerName];
    if (typeof handler !== 'function') {
      const error = new Error(`${init.handlerFile} does not export a function "${init.handlerName}"`);
      error.name = 'Runtime.HandlerNotFound';
      throw error;
    }
    return handler as Handler;
  });
}

// In capture mode what the init phase prints belongs to the first invocation's lines, as in its log stream.
let initLines: string[] = [];
const loaded: Promise<Handler> = captureLines
  ? captureLines(() =>
      importHandler().then(
        (handler) => ({ handler }),
        (error: Error) => ({ error }),
      ),
    ).then(({ result, lines }) => {
      initLines = lines.filter((line) => line !== '');
      if ('error' in result) throw result.error;
      return result.handler;
    })
  : importHandler();
// An init failure is reported on each invocation (Lambda reports Runtime.ImportModuleError the same way).
// The host starts an invocation's timeout only once init is over, so it waits for this message.
loaded.then(
  () => port.postMessage({ ready: true }),
  () => port.postMessage({ ready: true }),
);

port.on('message', async (request: InvokeRequest) => {
  if (!recorder || !captureLines) return post(await invoke(request));
  const { result, lines } = await captureLines(() => invoke(request));
  const capture: InvocationCapture = {
    lines: [...initLines.splice(0), ...lines],
    published: recorder.take().map((message) => ({
      ...message,
      key: message.key === null ? null : message.key.toString(),
    })),
  };
  post({ ...result, capture });
});

async function invoke(request: InvokeRequest): Promise<InvokeReply> {
  let reply: InvokeReply;
  try {
    const handler = await loaded.catch((error: Error) => {
      if (error.name === 'Error') error.name = 'Runtime.ImportModuleError';
      throw error;
    });
    const response = await handler(
      request.event,
      lambdaContext(init.identity, request.deadline, request.awsRequestId),
    );
    reply = { id: request.id, ok: true, response: response === undefined ? null : response };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = {
      id: request.id,
      ok: false,
      error: { class: e.name || 'Error', message: e.message, stack: e.stack },
    };
  }
  return reply;
}

function post(reply: InvokeReply): void {
  try {
    port.postMessage(reply);
  } catch (error) {
    // The response could not be cloned (functions, symbols): a function error, as an unserializable
    // response is on Lambda.
    port.postMessage({
      id: reply.id,
      ok: false,
      error: { class: 'Runtime.MarshalError', message: String((error as Error).message) },
    } satisfies InvokeReply);
  }
}
