// Worker entry in plain JavaScript. The host first says what to load: the bundles it built of the worker and
// the handler (lib/local/function-host/bundle.ts), which load without a TypeScript loader, or nothing, and
// then tsx is registered in this thread and the TypeScript sources load as they are (a handler that does not
// bundle gets its error reported exactly as before).
import { parentPort, workerData } from 'node:worker_threads';

const { load } = await new Promise((resolve) => parentPort.once('message', resolve));
if (load.worker && load.handler) {
  process.setSourceMapsEnabled(true);
  workerData.handlerModule = load.handler;
  await import(load.worker);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./worker.ts');
}
