/** Reads a tenant's DLQ topic (and its redrive ledger) up to the end offsets taken when the read starts. */
import type { Admin, Kafka } from 'kafkajs';
import { dlqRedriveLedgerTopicName, dlqTopicName, tenantResourcePrefix } from '../../core/naming.ts';
import { OpsError } from '../shared/errors.ts';
import { type OffsetRange, type RangeRecord, readRanges } from '../shared/read-range.ts';
import { type DlqEntry, toDlqEntry } from './entry.ts';
import type { DlqRecordId } from './record-id.ts';

/** Every record of `<tenant>.dlq`, oldest first per partition. */
export async function readDlq(kafka: Kafka, tenant: string): Promise<DlqEntry[]> {
  const topic = dlqTopicName(tenant);
  const records = await readWholeTopic(kafka, topic, tenant, { mustExist: true });
  return records.map(toDlqEntry);
}

/** One DLQ record by id; an error that says what exists when there is no such record. */
export async function readDlqRecord(kafka: Kafka, tenant: string, id: DlqRecordId): Promise<DlqEntry> {
  const topic = dlqTopicName(tenant);
  const admin = kafka.admin();
  await admin.connect();
  let ranges: OffsetRange[];
  try {
    ranges = await topicRanges(admin, topic, { mustExist: true });
  } finally {
    await admin.disconnect();
  }
  const range = ranges.find((candidate) => candidate.partition === id.partition);
  const offset = BigInt(id.offset);
  if (!range || offset < BigInt(range.from) || offset >= BigInt(range.to))
    throw new OpsError(
      `${topic} has no record ${id.partition}:${id.offset} (${ranges.map((r) => `partition ${r.partition}: offsets ${r.from}–${BigInt(r.to) - 1n}`).join('; ')}); run \`stratus dlq list --tenant ${tenant}\``,
    );
  const found: RangeRecord[] = [];
  await readRanges({
    kafka,
    topic,
    ranges: [{ partition: id.partition, from: id.offset, to: String(offset + 1n) }],
    groupPrefix: tenantResourcePrefix(tenant),
    onBatch: (records) => {
      found.push(...records);
    },
  });
  const record = found[0];
  if (!record) throw new OpsError(`${topic} record ${id.partition}:${id.offset} was removed by retention`);
  return toDlqEntry(record);
}

/** Every record of the redrive ledger (none when it does not exist yet). */
export async function readLedgerRecords(kafka: Kafka, tenant: string): Promise<RangeRecord[]> {
  return readWholeTopic(kafka, dlqRedriveLedgerTopicName(tenant), tenant, { mustExist: false });
}

async function readWholeTopic(
  kafka: Kafka,
  topic: string,
  tenant: string,
  options: { mustExist: boolean },
): Promise<RangeRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ranges: OffsetRange[];
  try {
    ranges = await topicRanges(admin, topic, options);
  } finally {
    await admin.disconnect();
  }
  const records: RangeRecord[] = [];
  await readRanges({
    kafka,
    topic,
    ranges,
    groupPrefix: tenantResourcePrefix(tenant),
    onBatch: (batch) => {
      records.push(...batch);
    },
  });
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** [low, high) of every partition: what the topic holds right now. */
async function topicRanges(
  admin: Admin,
  topic: string,
  options: { mustExist: boolean },
): Promise<OffsetRange[]> {
  if (!(await admin.listTopics()).includes(topic)) {
    if (!options.mustExist) return [];
    throw new OpsError(
      `topic ${topic} does not exist on the cluster; has the tenant been started (\`stratus dev\`) or deployed?`,
    );
  }
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map(({ partition, low, high }) => ({ partition, from: low, to: high }));
}
