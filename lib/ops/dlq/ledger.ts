/**
 * The redrive ledger: Kafka records are immutable, so "this DLQ record was already redriven" lives in a
 * compacted topic beside the DLQ, `<tenant>.dlq-redriven`, keyed by the DLQ record's `<topic>/<partition>/<offset>`.
 * A redrive publishes to the source topic first and writes the ledger entry second: a crash in between sends
 * that record again on the next redrive (at least once, like every other delivery in Stratus), never loses it.
 * Each redriven copy also carries its DLQ coordinates in `stratus-redriven-from`, for lineage.
 */
import type { Admin, Kafka } from 'kafkajs';
import { dlqRedriveLedgerTopicName } from '../../core/naming.ts';
import { createTopicsReadable } from '../../local/topics.ts';
import { readLedgerRecords } from './read.ts';

/** Header on a redriven copy: the DLQ record it came from, `<topic>/<partition>/<offset>`. */
export const REDRIVEN_FROM_HEADER = 'stratus-redriven-from';

export interface LedgerEntry {
  /** The DLQ record, `<topic>/<partition>/<offset>` (also the Kafka key). */
  dlqRecord: string;
  /** ISO 8601. */
  redrivenAt: string;
  /** The redrive-count header the copy was published with. */
  redriveCount: number;
  /** Where the copy was written. */
  target: { topic: string; partition: number; offset: string };
}

/** The latest entry per DLQ record (the last write of a key wins, as compaction will keep). */
export async function readLedger(kafka: Kafka, tenant: string): Promise<Map<string, LedgerEntry>> {
  const ledger = new Map<string, LedgerEntry>();
  for (const record of await readLedgerRecords(kafka, tenant)) {
    const key = record.key?.toString();
    if (!key) continue;
    if (record.value === null) {
      ledger.delete(key); // a tombstone un-marks a record, so it may be redriven again
      continue;
    }
    try {
      ledger.set(key, JSON.parse(record.value.toString()) as LedgerEntry);
    } catch {
      // Not written by Stratus; ignore rather than block every redrive.
    }
  }
  return ledger;
}

/** Creates the compacted ledger topic on first use; a no-op when it exists. */
export async function ensureLedgerTopic(admin: Admin, tenant: string): Promise<string> {
  const topic = dlqRedriveLedgerTopicName(tenant);
  if ((await admin.listTopics()).includes(topic)) return topic;
  try {
    await createTopicsReadable(admin, [
      { topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ]);
  } catch (error) {
    // Another redrive created it first.
    if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
  }
  return topic;
}

export function ledgerMessage(entry: LedgerEntry): { key: string; value: string } {
  return { key: entry.dlqRecord, value: JSON.stringify(entry) };
}
