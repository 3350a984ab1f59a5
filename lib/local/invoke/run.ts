/**
 * `stratus invoke`: one invocation of a consumer's handler in the same FunctionHost and environment contract
 * as `stratus dev` (a worker thread, the manifest's variables), in capture mode: outputs and dead letters are
 * recorded and produced only when asked, what the function prints comes back with the result.
 */
import { type InvocationResult, invocationResult } from '../../../functions/sdk/testing/invocation-result.ts';
import type { MskEvent } from '../../core/msk-event.ts';
import type { ConsumerSpec, PlatformSpec, TenantSpec } from '../../manifest/spec.ts';
import { localFunctionEnvironment } from '../function-host/environment.ts';
import { FunctionHost, functionHostOptionsFor } from '../function-host/index.ts';

export interface InvokeOptions {
  platform: PlatformSpec;
  tenant: TenantSpec;
  consumer: ConsumerSpec;
  event: MskEvent;
  /** Produce outputs and dead letters to these brokers; without, they are only recorded. */
  produceTo?: string[];
}

export interface InvokeOutcome {
  result: InvocationResult;
  durationMs: number;
  records: number;
  functionName: string;
  produced: boolean;
}

/** Where a function that does not produce is told its brokers are: nothing listens, nothing connects. */
const NOT_PRODUCED = 'stratus-invoke-no-broker:9092';

export async function invokeOnce(options: InvokeOptions): Promise<InvokeOutcome> {
  const { platform, tenant, consumer } = options;
  const env = localFunctionEnvironment({
    platform,
    tenant,
    consumer,
    brokers: options.produceTo ?? [NOT_PRODUCED],
  });
  const host = new FunctionHost({
    ...functionHostOptionsFor(consumer, { rootDir: platform.rootDir, env, region: platform.region }),
    capture: { produce: options.produceTo !== undefined },
  });
  try {
    const reply = await host.invoke(options.event);
    const capture = reply.capture ?? { lines: [], published: [] };
    const result = invocationResult({
      ok: reply.ok,
      response: reply.ok ? reply.response : undefined,
      error: reply.ok ? undefined : { ...reply.error, stack: reply.stack },
      published: capture.published,
      lines: capture.lines,
      dlqTopic: consumer.onFailureTopic,
    });
    return {
      result,
      durationMs: reply.durationMs,
      records: Object.values(options.event.records ?? {}).reduce((sum, group) => sum + group.length, 0),
      functionName: env.AWS_LAMBDA_FUNCTION_NAME!,
      produced: options.produceTo !== undefined,
    };
  } finally {
    await host.close();
  }
}
