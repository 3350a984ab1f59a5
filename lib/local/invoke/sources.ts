/**
 * Where `stratus invoke` gets its event: a file holding an MSK event, a JSONL file of record values, or
 * records read from the consumer's topic on the broker. Every form ends as the exact event Lambda delivers.
 */
import { readFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { encodeHeaders, encodeMskRecord, type MskEvent, type MskRecord } from '../../core/msk-event.ts';
import type { ConsumerSpec } from '../../manifest/spec.ts';
import { type OffsetRange, type RangeRecord, readRanges } from '../../ops/shared/read-range.ts';

/** A problem with the input the user named (unreadable file, bad line, nothing to read). */
export class InvokeInputError extends Error {
  override name = 'InvokeInputError';
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvokeInputError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** An MSK event from a JSON file (e.g. the output of `stratus event`), checked for the shape Lambda sends. */
export function eventFromFile(file: string): MskEvent {
  let event: unknown;
  try {
    event = JSON.parse(readText(file));
  } catch (error) {
    if (error instanceof InvokeInputError) throw error;
    throw new InvokeInputError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const records = (event as { records?: unknown } | null)?.records;
  if (typeof event !== 'object' || event === null || typeof records !== 'object' || records === null)
    throw new InvokeInputError(
      `${file} is not an MSK event: it needs "records": { "<topic>-<partition>": [ ... ] }`,
    );
  return event as MskEvent;
}

/**
 * Each non-empty line of a JSONL file is one record value, sent as its bytes (so a line that is not JSON
 * tests the handler's DECODE_ERROR path), on partition 0 of the consumer's topic, offsets 0, 1, ...
 */
export function recordsFromJsonl(file: string, consumer: ConsumerSpec): MskRecord[] {
  const lines = readText(file)
    .split('\n')
    .filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new InvokeInputError(`${file} has no records (one value per line)`);
  const now = Date.now();
  return lines.map((line, offset) =>
    encodeMskRecord({
      topic: consumer.topic,
      partition: 0,
      offset,
      value: Buffer.from(line),
      timestamp: now,
    }),
  );
}

export interface TopicReadOptions {
  kafka: Kafka;
  consumer: ConsumerSpec;
  /** `partition:offset` to start at; without it, the newest `count` records of the topic. */
  from?: { partition: number; offset: number };
  count: number;
}

/** Records of the consumer's source topic, read without joining its consumer group (nothing is committed). */
export async function recordsFromTopic(options: TopicReadOptions): Promise<MskRecord[]> {
  const { kafka, consumer, count } = options;
  const admin = kafka.admin();
  await admin.connect();
  let offsets: Array<{ partition: number; low: string; high: string }>;
  try {
    offsets = await admin.fetchTopicOffsets(consumer.topic);
  } finally {
    await admin.disconnect();
  }
  let ranges: OffsetRange[];
  if (options.from) {
    const { partition, offset } = options.from;
    const known = offsets.find((p) => p.partition === partition);
    if (!known)
      throw new InvokeInputError(
        `${consumer.topic} has no partition ${partition} (partitions 0–${offsets.length - 1})`,
      );
    if (offset < Number(known.low) || offset >= Number(known.high))
      throw new InvokeInputError(
        `${consumer.topic} partition ${partition} holds offsets ${known.low}–${Number(known.high) - 1}; ${offset} is not one of them`,
      );
    ranges = [{ partition, from: String(offset), to: String(Math.min(offset + count, Number(known.high))) }];
  } else {
    ranges = offsets.map((p) => ({
      partition: p.partition,
      from: String(Math.max(Number(p.low), Number(p.high) - count)),
      to: p.high,
    }));
  }
  const read: RangeRecord[] = [];
  await readRanges({
    kafka,
    topic: consumer.topic,
    ranges,
    groupPrefix: `${consumer.tenant}.`,
    onBatch: (records) => void read.push(...records),
  });
  if (read.length === 0) throw new InvokeInputError(`${consumer.topic} has no records to read`);
  // The newest `count` across partitions, delivered in offset order per partition.
  const chosen = options.from
    ? read
    : [...read].sort((a, b) => Number(b.timestamp) - Number(a.timestamp)).slice(0, count);
  return chosen
    .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))
    .map((record) => {
      const msk: MskRecord = {
        topic: record.topic,
        partition: record.partition,
        offset: Number(record.offset),
        timestamp: Number(record.timestamp),
        timestampType: 'CREATE_TIME',
        value: record.value === null ? null : record.value.toString('base64'),
        headers: encodeHeaders(record.headers),
      };
      if (record.key !== null) msk.key = record.key.toString('base64');
      return msk;
    });
}
