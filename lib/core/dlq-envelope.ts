/**
 * The dead-letter envelope: what a record looks like in `<tenant>.dlq`. Written by the handler SDK (records
 * that can never succeed: bad JSON, schema violations) and by the event-source emulator's on-failure
 * destination (records that exhausted retries or expired); read by `stratus dlq` and redrive.
 * Versioned: readers accept every version they know and reject others with a clear message.
 */

import { decodeHeaders, type MskRecord } from './msk-event.ts';

export const DLQ_ENVELOPE_VERSION = 1;

/** Header names carried by every dead-lettered record, so tools can filter without decoding the value. */
export const DLQ_HEADERS = {
  envelopeVersion: 'stratus-dlq-version',
  tenant: 'stratus-tenant',
  consumer: 'stratus-consumer',
  errorClass: 'stratus-error-class',
  sourceTopic: 'stratus-source-topic',
  /** How many times the record has been redriven to its source topic. */
  redriveCount: 'stratus-redrive-count',
} as const;

/** Why a record was dead-lettered. */
export type DlqReason =
  /** The SDK could not decode the value (not JSON, not UTF-8). */
  | 'DECODE_ERROR'
  /** The value failed the topic's JSON Schema. */
  | 'SCHEMA_VIOLATION'
  /** The value (or a processor's output for it) failed a data-quality rule of severity `error`. */
  | 'DATA_QUALITY'
  /** The handler failed on every attempt. */
  | 'RETRIES_EXHAUSTED'
  /** The record was older than the consumer's maxRecordAge. */
  | 'RECORD_EXPIRED'
  /** The batch exceeded the 6 MB invocation payload even as a single record. */
  | 'PAYLOAD_TOO_LARGE';

export interface DlqEnvelope {
  version: typeof DLQ_ENVELOPE_VERSION;
  tenant: string;
  consumer: string;
  reason: DlqReason;
  error: { class: string; message: string };
  /** With reason DATA_QUALITY: the names of the failed rules (`error` severity). */
  rules?: string[];
  source: {
    topic: string;
    partition: number;
    offset: number;
    /** Milliseconds since the epoch. */
    timestamp: number;
  };
  /** The original record, bytes in base64, headers as Lambda encodes them decoded to strings. */
  record: { key: string | null; value: string | null; headers: Record<string, string> };
  /** Invocations made with this record, the first included. */
  attempts: number;
  /** ISO 8601. */
  firstFailureAt: string;
  /** ISO 8601. */
  deadLetteredAt: string;
}

export interface DeadLetterInput {
  tenant: string;
  consumer: string;
  reason: DlqReason;
  error: unknown;
  /** With reason DATA_QUALITY: the failed rules. */
  rules?: string[];
  /** The failed record exactly as the event-source mapping delivered it. */
  record: MskRecord;
  attempts: number;
  firstFailureAt: Date;
  now?: Date;
}

/** Build the envelope and the Kafka message (key kept, so a redrive lands on the same partition). */
export function buildDeadLetter(input: DeadLetterInput): {
  envelope: DlqEnvelope;
  message: { key: Buffer | null; value: string; headers: Record<string, string> };
} {
  const error = describeError(input.error);
  const { record } = input;
  const key = record.key ?? null;
  const envelope: DlqEnvelope = {
    version: DLQ_ENVELOPE_VERSION,
    tenant: input.tenant,
    consumer: input.consumer,
    reason: input.reason,
    error,
    ...(input.rules ? { rules: input.rules } : {}),
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
    },
    record: { key, value: record.value ?? null, headers: decodeHeaders(record.headers) },
    attempts: input.attempts,
    firstFailureAt: input.firstFailureAt.toISOString(),
    deadLetteredAt: (input.now ?? new Date()).toISOString(),
  };
  return {
    envelope,
    message: {
      key: key === null ? null : Buffer.from(key, 'base64'),
      value: JSON.stringify(envelope),
      headers: {
        [DLQ_HEADERS.envelopeVersion]: String(DLQ_ENVELOPE_VERSION),
        [DLQ_HEADERS.tenant]: input.tenant,
        [DLQ_HEADERS.consumer]: input.consumer,
        [DLQ_HEADERS.errorClass]: error.class,
        [DLQ_HEADERS.sourceTopic]: record.topic,
      },
    },
  };
}

/** Parse a DLQ record's value; a clear message, never a throw, for anything that is not an envelope. */
export function parseDlqEnvelope(
  value: string | Buffer | null,
): { ok: true; envelope: DlqEnvelope } | { ok: false; message: string } {
  if (value === null) return { ok: false, message: 'empty record (tombstone)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    return { ok: false, message: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, message: 'not a JSON object' };
  const version = (parsed as { version?: unknown }).version;
  if (version !== DLQ_ENVELOPE_VERSION) {
    return {
      ok: false,
      message: `unknown envelope version ${JSON.stringify(version)} (this build reads ${DLQ_ENVELOPE_VERSION})`,
    };
  }
  return { ok: true, envelope: parsed as DlqEnvelope };
}

export function describeError(error: unknown): { class: string; message: string } {
  if (error instanceof Error) return { class: error.name || error.constructor.name, message: error.message };
  return { class: 'Error', message: typeof error === 'string' ? error : JSON.stringify(error) };
}
