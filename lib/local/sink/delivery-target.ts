/**
 * Where a sink delivers a buffer: an Iceberg table or objects in S3. The runner owns Kafka and buffering;
 * a target owns the format and says which offsets it already holds durably.
 */
import type { BufferedRecord } from './delivery-buffer.ts';

export interface DeliveryResult {
  /** Rows (or records) made durable by this delivery. */
  rows: number;
  /** Bytes of the files written. */
  bytes: number;
  /** Records that could not be converted (not JSON, missing a required field, wrong type). */
  failed: { record: BufferedRecord; reason: string }[];
  /** Table commits (snapshots) or objects written. */
  commits: number;
}

export interface DeliveryTarget {
  /**
   * Next offset per `<topic>-<partition>` the destination already holds; records below are skipped. Undefined
   * when the destination keeps no offsets (objects): the sink group's offsets are then the only record.
   */
  committedOffsets(): Record<string, string> | undefined;
  /**
   * Writes the records durably; resolves only when they are, throws otherwise. `beforeCommit` receives the
   * records that cannot be delivered, before anything becomes visible, so a failure there retries the lot.
   */
  deliver(
    records: BufferedRecord[],
    nextOffsets: Record<string, string>,
    beforeCommit?: (failed: DeliveryResult['failed']) => Promise<void>,
  ): Promise<DeliveryResult>;
  /** Where the data lands, for logs: `stratus_payments.orders_enriched`, `s3://bucket/prefix/`. */
  readonly description: string;
}

/** The JSON value of a record, or a reason it has none. */
export function decodeJson(record: BufferedRecord): { value: Record<string, unknown> } | { reason: string } {
  if (!record.value) return { reason: 'record has no value' };
  try {
    const value: unknown = JSON.parse(record.value.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { reason: 'record value is not a JSON object' };
    return { value: value as Record<string, unknown> };
  } catch (error) {
    return { reason: `record value is not JSON: ${(error as Error).message}` };
  }
}
