// Worker entry in plain JavaScript. The host first says what to load: the bundles it built of the worker and
// the handler (lib/local/function-host/bundle.ts), which load without a TypeScript loader, or nothing, and
// then tsx is registered in this thread and the TypeScript sources load as they are (no node_modules above the
// handler to bundle it against), or why the handler does not build.
import { parentPort, workerData } from 'node:worker_threads';

const { load } = await new Promise((resolve) => parentPort.once('message', resolve));
// A handler that does not build is not imported: the worker reports why on each invocation.
workerData.handlerBuildProblem = load.handlerBuildProblem;
if (load.worker && (load.handler || load.handlerBuildProblem)) {
  process.setSourceMapsEnabled(true);
  workerData.handlerModule = load.handler;
  await import(load.worker);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./worker.ts');
}
