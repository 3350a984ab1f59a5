/** Runs consumer handlers like Lambda execution environments, one worker_thread each. */
export { type FunctionIdentity, type LambdaContext, lambdaContext } from './context.ts';
export { functionHostOptionsFor } from './for-consumer.ts';
export { FunctionHost, type FunctionHostOptions, type FunctionInvokeResult } from './function-host.ts';
