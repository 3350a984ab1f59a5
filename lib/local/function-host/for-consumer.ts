/** The FunctionHost settings a manifest consumer implies, so the runtime never re-derives them. */
import { consumerFunctionName } from '../../core/naming.ts';
import type { ConsumerSpec } from '../../manifest/spec.ts';
import type { FunctionHostOptions } from './function-host.ts';

/**
 * Options for the consumer's FunctionHost: its handler file, `stratus-<tenant>-<consumer>` name, timeout and
 * memory from the manifest; `env` is the consumer's `consumerEnvironment(...)`.
 */
export function functionHostOptionsFor(
  consumer: Pick<ConsumerSpec, 'tenant' | 'key' | 'handlerFile' | 'timeoutMs' | 'memoryMb'>,
  options: { rootDir: string; env: Record<string, string>; region?: string },
): FunctionHostOptions {
  return {
    handlerFile: consumer.handlerFile,
    rootDir: options.rootDir,
    functionName: consumerFunctionName(consumer.tenant, consumer.key),
    env: options.env,
    timeoutMs: consumer.timeoutMs,
    memoryMb: consumer.memoryMb,
    region: options.region,
  };
}
