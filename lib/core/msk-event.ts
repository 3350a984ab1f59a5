/**
 * The event Lambda's Kafka event-source mapping delivers, and the response it accepts. The local
 * event-source emulator builds exactly this shape; the SDK decodes exactly this shape.
 * Shape: https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html (example event) and
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html (partial batch response).
 */

/** One header as Lambda sends it: `{ name: [byte, byte, ...] }`. */
export type MskHeader = Record<string, number[]>;

export interface MskRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  /** Base64; absent when the record has no key. */
  key?: string;
  /** Base64; absent (or null) for a tombstone. */
  value?: string | null;
  headers: MskHeader[];
}

export interface MskEvent {
  /** `aws:kafka` for Amazon MSK, `SelfManagedKafka` otherwise. */
  eventSource: 'aws:kafka' | 'SelfManagedKafka';
  /** The cluster ARN (MSK only). */
  eventSourceArn?: string;
  bootstrapServers: string;
  /** Records grouped by `<topic>-<partition>`. */
  records: Record<string, MskRecord[]>;
}

export interface BatchItemFailure {
  itemIdentifier: { partition: string; offset: number };
}

export interface MskBatchResponse {
  batchItemFailures: BatchItemFailure[];
}

/** The key of a record group in `MskEvent.records` and of a partition in `batchItemFailures`. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Inverse of `topicPartitionKey`; topic names may themselves contain '-', the partition is after the last. */
export function parseTopicPartitionKey(key: string): { topic: string; partition: number } {
  const dash = key.lastIndexOf('-');
  return { topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)) };
}

/** Header bytes as Lambda encodes them. */
export function encodeHeaders(headers: Record<string, string | Buffer | undefined> | undefined): MskHeader[] {
  if (!headers) return [];
  const out: MskHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out.push({ [name]: [...(typeof value === 'string' ? Buffer.from(value) : value)] });
  }
  return out;
}

/** Header byte arrays back to UTF-8 strings; the last value of a repeated name wins. */
export function decodeHeaders(headers: MskHeader[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers ?? []) {
    for (const [name, bytes] of Object.entries(header)) out[name] = Buffer.from(bytes).toString('utf8');
  }
  return out;
}

/** Every record of an event in delivery order (partition groups in event order, offsets ascending). */
export function eventRecords(event: MskEvent): MskRecord[] {
  return Object.values(event.records).flat();
}

/** What a record is made of before it is encoded the way Lambda delivers it. */
export interface MskRecordInput {
  topic: string;
  partition: number;
  offset: number;
  /**
   * The value: JSON-encoded, except a Buffer (sent as those bytes, e.g. invalid JSON) and `null` (a tombstone).
   * @default null
   */
  value?: unknown;
  /** UTF-8 key; `null` or absent for a record without one. */
  key?: string | null;
  headers?: Record<string, string>;
  /** @default Date.now() */
  timestamp?: number;
  /** @default 'CREATE_TIME' */
  timestampType?: MskRecord['timestampType'];
}

/** One record in Lambda's encoding: base64 key and value, header bytes; a null key is left out. */
export function encodeMskRecord(input: MskRecordInput): MskRecord {
  const record: MskRecord = {
    topic: input.topic,
    partition: input.partition,
    offset: input.offset,
    timestamp: input.timestamp ?? Date.now(),
    timestampType: input.timestampType ?? 'CREATE_TIME',
    value: null,
    headers: encodeHeaders(input.headers),
  };
  if (input.key !== undefined && input.key !== null) record.key = Buffer.from(input.key).toString('base64');
  if (input.value !== undefined && input.value !== null) {
    const bytes = Buffer.isBuffer(input.value) ? input.value : Buffer.from(JSON.stringify(input.value));
    record.value = bytes.toString('base64');
  }
  return record;
}

/** The event for records of one or more partitions, grouped by `<topic>-<partition>` in the order given. */
export function buildMskEvent(
  records: MskRecord[],
  eventSourceArn: string | undefined,
  bootstrapServers: string,
): MskEvent {
  const grouped: Record<string, MskRecord[]> = {};
  for (const record of records) {
    const key = topicPartitionKey(record.topic, record.partition);
    grouped[key] ??= [];
    grouped[key].push(record);
  }
  return {
    eventSource: 'aws:kafka',
    ...(eventSourceArn ? { eventSourceArn } : {}),
    bootstrapServers,
    records: grouped,
  };
}
