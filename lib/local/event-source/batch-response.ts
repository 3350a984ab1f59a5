/**
 * Reading the function's answer as Lambda does with ReportBatchItemFailures (the CDK stacks always turn it
 * on). Response: `{ batchItemFailures: [{ itemIdentifier: { partition: 'topic-0', offset: 15 } }] }`
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html).
 * Success: no response, no `batchItemFailures`, or an empty/null list. Anything that names a record not in
 * the event, or is malformed, fails the whole batch, as for streams
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html, "Success and
 * failure conditions").
 */
import { type MskRecord, topicPartitionKey } from '../../core/msk-event.ts';

export type BatchVerdict =
  | { kind: 'success' }
  /** Some records failed: per partition key, the lowest failed offset (the new checkpoint) and every failed offset. */
  | { kind: 'partial'; checkpoints: Map<string, number>; failed: Set<string> }
  | { kind: 'invalid'; message: string };

/** `<topic>-<partition>@<offset>`: identifies one record of an event. */
export function recordId(record: Pick<MskRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${topicPartitionKey(record.topic, record.partition)}@${record.offset}`;
}

export function interpretBatchResponse(records: readonly MskRecord[], response: unknown): BatchVerdict {
  if (response === null || response === undefined || typeof response !== 'object') return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'invalid', message: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };

  const known = new Set(records.map(recordId));
  const checkpoints = new Map<string, number>();
  const failed = new Set<string>();
  for (const failure of failures) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier as
      | { partition?: unknown; offset?: unknown }
      | undefined;
    const partition = identifier?.partition;
    const offset = typeof identifier?.offset === 'string' ? Number(identifier.offset) : identifier?.offset;
    if (typeof partition !== 'string' || typeof offset !== 'number' || !Number.isInteger(offset)) {
      return {
        kind: 'invalid',
        message: `malformed itemIdentifier ${JSON.stringify(identifier ?? failure)}`,
      };
    }
    const id = `${partition}@${offset}`;
    if (!known.has(id))
      return { kind: 'invalid', message: `itemIdentifier ${id} is not a record of the batch` };
    failed.add(id);
    const current = checkpoints.get(partition);
    if (current === undefined || offset < current) checkpoints.set(partition, offset);
  }
  return { kind: 'partial', checkpoints, failed };
}
