/**
 * When a batch is sent, and which records it holds. Lambda invokes when the batch size is reached, the
 * batching window expires, or the payload would exceed 6 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching:
 * "Lambda invokes your function when one of the following three criteria is met: the batching window
 * reaches its maximum value, the batch size is met, or the payload size reaches 6 MB").
 */
import type { MskRecord } from '../../core/msk-event.ts';
import { recordPayloadBytes } from './record.ts';

/** Lambda's synchronous invocation payload limit (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface BatchLimits {
  batchSize: number;
  batchWindowMs: number;
  /** Cap on the event's JSON size. */
  maxPayloadBytes: number;
  /** Bytes of the event without records. */
  overheadBytes: number;
}

/** Whether the pending records must be sent now, and if not, how long until the window expires. */
export function batchReady(
  pending: readonly MskRecord[],
  firstBufferedAt: number | undefined,
  now: number,
  limits: BatchLimits,
): { ready: true } | { ready: false; waitMs: number | undefined } {
  if (pending.length === 0 || firstBufferedAt === undefined) return { ready: false, waitMs: undefined };
  if (pending.length >= limits.batchSize) return { ready: true };
  let bytes = limits.overheadBytes;
  for (const record of pending) {
    bytes += recordPayloadBytes(record);
    if (bytes > limits.maxPayloadBytes) return { ready: true };
  }
  const waitMs = firstBufferedAt + limits.batchWindowMs - now;
  return waitMs <= 0 ? { ready: true } : { ready: false, waitMs };
}

/**
 * Take the next batch from the head of the pending records: at most `batchSize` records and never more
 * than the payload cap. A record that alone exceeds the cap can never be delivered: it comes back as
 * `oversized` (the emulator dead-letters it with reason PAYLOAD_TOO_LARGE; AWS does not document this case).
 */
export function cutBatch(
  pending: readonly MskRecord[],
  limits: BatchLimits,
): { batch: MskRecord[]; bytes: number; oversized?: MskRecord } {
  const batch: MskRecord[] = [];
  let bytes = limits.overheadBytes;
  for (const record of pending) {
    if (batch.length >= limits.batchSize) break;
    const size = recordPayloadBytes(record);
    if (bytes + size > limits.maxPayloadBytes) {
      if (batch.length === 0) return { batch, bytes, oversized: record };
      break;
    }
    batch.push(record);
    bytes += size;
  }
  return { batch, bytes };
}
