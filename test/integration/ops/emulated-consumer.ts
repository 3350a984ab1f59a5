/**
 * A manifest consumer run the way `stratus dev` runs it — the local event-source emulator (lib/local/event-source)
 * feeding a handler-SDK function — except that the function runs in-process instead of in a worker thread, so
 * tests can swap the handler (the "fix") and see what it was called with.
 */
import type { Kafka } from 'kafkajs';
import type { StratusHandler } from '../../../functions/sdk/index.ts';
import { describeError } from '../../../lib/core/dlq-envelope.ts';
import type { MskEvent } from '../../../lib/core/msk-event.ts';
import { type EventSourceMapping, startEventSourceMapping } from '../../../lib/local/event-source/index.ts';
import type { ConsumerSpec } from '../../../lib/manifest/spec.ts';
import { lambdaContext } from '../../unit/sdk/msk-fixtures.ts';

// The functions' Powertools log lines and EMF metrics would drown the test output.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export async function startEmulatedConsumer(
  kafka: Kafka,
  brokers: string[],
  consumer: ConsumerSpec,
  handler: StratusHandler,
  /** Sees every event before the function does (what the mapping delivered). */
  onEvent?: (event: MskEvent) => void,
): Promise<EventSourceMapping> {
  return startEventSourceMapping({
    consumer,
    kafka,
    bootstrapServers: brokers.join(','),
    retryBackoffMs: 10,
    invoke: async (event) => {
      onEvent?.(event);
      try {
        return {
          ok: true,
          response: await handler(event, lambdaContext(handler.stratus.settings.functionName)),
        };
      } catch (error) {
        return { ok: false, error: describeError(error) };
      }
    },
  });
}

/** Runs the consumer until its group has committed everything produced so far, then stops it. */
export async function runUntilDrained(
  kafka: Kafka,
  brokers: string[],
  consumer: ConsumerSpec,
  handler: StratusHandler,
): Promise<void> {
  const mapping = await startEmulatedConsumer(kafka, brokers, consumer, handler);
  try {
    await mapping.drained({ timeoutMs: 60_000 });
  } finally {
    await mapping.stop();
  }
}
