/** One record of a tenant's DLQ topic as the operations commands see it. */
import { DLQ_HEADERS, type DlqEnvelope, parseDlqEnvelope } from '../../core/dlq-envelope.ts';
import type { RangeRecord } from '../shared/read-range.ts';
import { formatDlqRecordId } from './record-id.ts';

export interface DlqEntry {
  /** `<partition>:<offset>` in the DLQ topic. */
  id: string;
  topic: string;
  partition: number;
  offset: string;
  /** When the record reached the DLQ (its Kafka timestamp), ms since the epoch. */
  timestamp: number;
  headers: Record<string, string>;
  /** The envelope, or why the value is not one (the entry is then listed but never redriven). */
  envelope?: DlqEnvelope;
  problem?: string;
  /** Times the original record had already been redriven before it failed again (its redrive-count header). */
  redriveCount: number;
}

export function toDlqEntry(record: RangeRecord): DlqEntry {
  const parsed = parseDlqEnvelope(record.value);
  const envelope = parsed.ok ? parsed.envelope : undefined;
  const count = Number(envelope?.record.headers?.[DLQ_HEADERS.redriveCount] ?? '0');
  return {
    id: formatDlqRecordId(record.partition, record.offset),
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: Number(record.timestamp),
    headers: record.headers,
    ...(parsed.ok ? { envelope } : { problem: parsed.message }),
    redriveCount: Number.isInteger(count) && count > 0 ? count : 0,
  };
}

/** The error class to group and filter by: the envelope's, else the header's, else `(unreadable)`. */
export function errorClassOf(entry: DlqEntry): string {
  return entry.envelope?.error.class ?? entry.headers[DLQ_HEADERS.errorClass] ?? '(unreadable)';
}
