/**
 * MSK record → `KafkaRecord`: base64 key and value, header byte arrays, JSON, schema. Throws an
 * `InvalidRecordError` for a record no retry can fix.
 */
import { isUtf8 } from 'node:buffer';
import { decodeHeaders, type MskRecord } from '../../lib/core/msk-event.ts';
import { RecordDecodeError, SchemaViolationError } from './errors.ts';
import type { ValueValidator } from './schema.ts';
import type { KafkaRecord, TombstoneRecord } from './types.ts';

/** The record's key as a string; `null` when it has none. Keys are not validated (they may be binary). */
export function decodeKey(record: MskRecord): string | null {
  return record.key === undefined || record.key === null
    ? null
    : Buffer.from(record.key, 'base64').toString('utf8');
}

/** True when the record is a tombstone (no value at all, as Lambda sends a null Kafka value). */
export function isTombstone(record: MskRecord): boolean {
  return record.value === undefined || record.value === null;
}

export function decodeRecord<T>(
  record: MskRecord,
  validate?: ValueValidator,
): KafkaRecord<T> | TombstoneRecord {
  let value: unknown = null;
  if (!isTombstone(record)) {
    const bytes = Buffer.from(record.value as string, 'base64');
    // Checked first: a value that is not UTF-8 is an error, not a string full of U+FFFD that then happens to parse.
    if (!isUtf8(bytes)) throw new RecordDecodeError('value is not valid UTF-8');
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new RecordDecodeError(`value is not JSON: ${(error as Error).message}`, { cause: error });
    }
    if (validate) {
      const violations = validate(value);
      if (violations.length > 0) throw new SchemaViolationError(violations);
    }
  }
  // One object literal with a fixed shape: hundreds per batch, so no intermediate copies.
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: decodeKey(record),
    value: value as T,
    headers: decodeHeaders(record.headers),
  };
}
