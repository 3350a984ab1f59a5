/**
 * kafkajs messages → the records and the event Lambda sends for Amazon MSK.
 * Shape: https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html (example event): `eventSource: aws:kafka`,
 * `eventSourceArn`, comma-separated `bootstrapServers`, `records` keyed `<topic>-<partition>`, base64 key and
 * value, headers as `[{ name: [bytes] }]`.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { buildMskEvent, type MskHeader, type MskRecord } from '../../core/msk-event.ts';

const payloadBytes = new WeakMap<MskRecord, number>();

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
  // Measured now, when the key and value are known to be base64 (nothing for JSON to escape): no scan needed.
  payloadBytes.set(record, jsonRecordBytes(record, true) + 1);
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

/**
 * Bytes a record adds to the JSON invocation payload (the 6 MB cap is on that payload): the length of
 * `JSON.stringify(record)` plus its comma, counted without building that string (it was the event source's
 * largest per-record cost). Counted once per record: the batching checks ask again for every record still
 * pending each time they run.
 */
export function recordPayloadBytes(record: MskRecord): number {
  let bytes = payloadBytes.get(record);
  if (bytes === undefined) {
    bytes = jsonRecordBytes(record) + 1;
    payloadBytes.set(record, bytes);
  }
  return bytes;
}

/** Keys a record built by `toMskRecord` has; anything else is measured by serializing it. */
const RECORD_KEYS = new Set([
  'topic',
  'partition',
  'offset',
  'timestamp',
  'timestampType',
  'key',
  'value',
  'headers',
]);
/** Strings JSON writes as they are, between quotes: Kafka topic names, base64, the timestamp types. */
const PLAIN_JSON_STRING = /^[A-Za-z0-9+/=._-]*$/;

/** UTF-8 bytes of `JSON.stringify(record)`; `base64` when the key and value are base64 text (`toMskRecord`'s). */
function jsonRecordBytes(record: MskRecord, base64 = false): number {
  let bytes = 2; // {}
  let fields = 0;
  for (const name in record) {
    const value = (record as unknown as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (!RECORD_KEYS.has(name)) return Buffer.byteLength(JSON.stringify(record));
    fields++;
    bytes += name.length + 3; // "name":
    if (typeof value === 'number') bytes += String(value).length;
    else if (typeof value === 'string')
      bytes += base64 && (name === 'value' || name === 'key') ? value.length + 2 : jsonStringBytes(value);
    else if (value === null) bytes += 4;
    else if (name === 'headers' && Array.isArray(value)) bytes += jsonHeadersBytes(value as MskHeader[]);
    else return Buffer.byteLength(JSON.stringify(record));
  }
  return bytes + Math.max(fields - 1, 0); // commas
}

function jsonStringBytes(text: string): number {
  return PLAIN_JSON_STRING.test(text) ? text.length + 2 : Buffer.byteLength(JSON.stringify(text));
}

/** `[{"name":[1,2,3]},…]` */
function jsonHeadersBytes(headers: MskHeader[]): number {
  let bytes = 2 + Math.max(headers.length - 1, 0);
  for (const header of headers) {
    const names = Object.keys(header);
    bytes += 2 + Math.max(names.length - 1, 0);
    for (const name of names) {
      const values = header[name]!;
      bytes += jsonStringBytes(name) + 1 + 2 + Math.max(values.length - 1, 0);
      for (const byte of values)
        bytes += byte >= 0 && byte < 10 ? 1 : byte >= 10 && byte < 100 ? 2 : String(byte).length;
    }
  }
  return bytes;
}

/** Bytes of an event's envelope without records. */
export function eventOverheadBytes(eventSourceArn: string | undefined, bootstrapServers: string): number {
  return Buffer.byteLength(JSON.stringify(buildMskEvent([], eventSourceArn, bootstrapServers))) + 64;
}
