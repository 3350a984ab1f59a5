/**
 * The on-failure destination: the tenant's DLQ topic. Lambda writes failed records to a Kafka destination
 * "along with failure metadata" (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html)
 * but does not document the record layout, so the emulator writes the Stratus envelope of
 * lib/core/dlq-envelope.ts (the original key, value and headers plus reason, error, source coordinates and
 * attempts), which `stratus dlq` and redrive read. A write is retried until it succeeds: a record is only
 * committed after it reached the DLQ.
 */
import type { Producer } from 'kafkajs';
import { buildDeadLetter, type DlqReason } from '../../core/dlq-envelope.ts';
import type { MskRecord } from '../../core/msk-event.ts';

export interface DeadLetterContext {
  tenant: string;
  consumer: string;
  /** The DLQ topic. */
  topic: string;
}

export interface DeadLetterItem {
  record: MskRecord;
  /** Invocations made with the record. */
  attempts: number;
  firstFailureAt: Date;
}

/**
 * Write the records, retrying with backoff until the broker acknowledges them all (acks=all) or
 * `shouldGiveUp()` is true, in which case it throws and nothing may be committed.
 */
export async function writeDeadLetters(
  producer: Producer,
  context: DeadLetterContext,
  items: readonly DeadLetterItem[],
  reason: DlqReason,
  error: unknown,
  options: { shouldGiveUp: () => boolean; onError?: (error: unknown) => void; backoffMs?: number },
): Promise<void> {
  const now = new Date();
  const messages = items.map(({ record, attempts, firstFailureAt }) => {
    const { message } = buildDeadLetter({
      tenant: context.tenant,
      consumer: context.consumer,
      reason,
      error,
      record,
      attempts,
      firstFailureAt,
      now,
    });
    return message;
  });
  let delay = options.backoffMs ?? 200;
  for (;;) {
    if (options.shouldGiveUp()) throw new Error('dead-letter write abandoned: the mapping is stopping');
    try {
      await producer.send({ topic: context.topic, messages, acks: -1 });
      return;
    } catch (writeError) {
      options.onError?.(writeError);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
