/**
 * Firehose-style buffering: records accumulate until the buffer reaches its size or its interval has passed
 * since the first record entered it, whichever comes first.
 * https://docs.aws.amazon.com/firehose/latest/dev/create-configure-backup.html (BufferingHints)
 */

/** A Kafka record as the sink keeps it until delivery. */
export interface BufferedRecord {
  topic: string;
  partition: number;
  /** Kafka offset (a decimal string, as kafkajs gives it). */
  offset: string;
  /** Record timestamp, milliseconds since the epoch. */
  timestampMs: number;
  /** When the sink read it (Firehose's "approximate arrival timestamp"). */
  arrivalMs: number;
  value: Buffer | null;
}

export class DeliveryBuffer {
  private records: BufferedRecord[] = [];
  private bytes = 0;

  /** @param sizeBytes flush when this many value bytes are buffered (Firehose SizeInMBs) */
  constructor(private readonly sizeBytes: number) {}

  add(record: BufferedRecord): void {
    this.records.push(record);
    this.bytes += record.value?.byteLength ?? 0;
  }

  /** Puts records of a failed delivery back in front, in order, to be retried with the next flush. */
  restore(records: BufferedRecord[]): void {
    this.records = [...records, ...this.records];
    this.bytes += records.reduce((sum, r) => sum + (r.value?.byteLength ?? 0), 0);
  }

  drain(): BufferedRecord[] {
    const drained = this.records;
    this.records = [];
    this.bytes = 0;
    return drained;
  }

  /** True when records of this topic-partition wait in the buffer. */
  holds(topic: string, partition: number): boolean {
    return this.records.some((r) => r.partition === partition && r.topic === topic);
  }

  get full(): boolean {
    return this.bytes >= this.sizeBytes;
  }

  get count(): number {
    return this.records.length;
  }

  get sizeInBytes(): number {
    return this.bytes;
  }

  /** Arrival time of the oldest buffered record, if any. */
  get oldestArrivalMs(): number | undefined {
    return this.records[0]?.arrivalMs;
  }

  /** Kafka timestamp of the oldest buffered record (Firehose DataFreshness counts from it). */
  get oldestTimestampMs(): number | undefined {
    let oldest: number | undefined;
    for (const r of this.records) if (oldest === undefined || r.timestampMs < oldest) oldest = r.timestampMs;
    return oldest;
  }
}

/** `{ "<topic>-<partition>": next offset }` of a batch: the last offset + 1 per partition. */
export function nextOffsets(records: BufferedRecord[]): Record<string, string> {
  // Offsets only grow within a partition, so the last record of each partition holds its highest offset.
  const last = new Map<string, string>();
  for (const r of records) last.set(partitionKey(r.topic, r.partition), r.offset);
  const next: Record<string, string> = {};
  for (const [key, offset] of last) next[key] = (BigInt(offset) + 1n).toString();
  return next;
}

/** `<topic>-<partition>`, the form Lambda's Kafka events use for their record keys. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
