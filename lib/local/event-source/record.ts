/**
 * kafkajs messages → the records and the event Lambda sends for Amazon MSK.
 * Shape: https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html (example event): `eventSource: aws:kafka`,
 * `eventSourceArn`, comma-separated `bootstrapServers`, `records` keyed `<topic>-<partition>`, base64 key and
 * value, headers as `[{ name: [bytes] }]`.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { buildMskEvent, type MskHeader, type MskRecord } from '../../core/msk-event.ts';

/** One Kafka message as a Lambda MSK record. A null key is left out; a null value (tombstone) is `null`. */
export function toMskRecord(topic: string, partition: number, message: KafkaMessage): MskRecord {
  // kafkajs keeps the batch's timestamp type (0 create time, 1 log-append time) on each decoded message.
  const context = (message as { batchContext?: { timestampType?: number } }).batchContext;
  const record: MskRecord = {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: context?.timestampType === 1 ? 'LOG_APPEND_TIME' : 'CREATE_TIME',
    value: message.value === null ? null : message.value.toString('base64'),
    headers: toMskHeaders(message.headers),
  };
  if (message.key !== null) record.key = message.key.toString('base64');
  return record;
}

/** Kafka headers as Lambda sends them, a repeated header once per value, in order. */
export function toMskHeaders(headers: IHeaders | undefined): MskHeader[] {
  const out: MskHeader[] = [];
  for (const [name, raw] of Object.entries(headers ?? {})) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (value === undefined) continue;
      out.push({ [name]: [...(typeof value === 'string' ? Buffer.from(value) : value)] });
    }
  }
  return out;
}

const payloadBytes = new WeakMap<MskRecord, number>();

/**
 * Bytes a record adds to the JSON invocation payload (the 6 MB cap is on that payload). Counted once per
 * record: the batching checks ask again for every record still pending each time they run.
 */
export function recordPayloadBytes(record: MskRecord): number {
  let bytes = payloadBytes.get(record);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(JSON.stringify(record)) + 1;
    payloadBytes.set(record, bytes);
  }
  return bytes;
}

/** Bytes of an event's envelope without records. */
export function eventOverheadBytes(eventSourceArn: string | undefined, bootstrapServers: string): number {
  return Buffer.byteLength(JSON.stringify(buildMskEvent([], eventSourceArn, bootstrapServers))) + 64;
}
