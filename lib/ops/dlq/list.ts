/** `stratus dlq list`: the tenant's dead letters after filters, with redrive status and counts by error class. */
import type { Kafka } from 'kafkajs';
import { dlqTopicName } from '../../core/naming.ts';
import type { DlqEntry } from './entry.ts';
import { type LedgerEntry, readLedger } from './ledger.ts';
import { readDlq, readDlqRecord } from './read.ts';
import { type DlqRecordId, qualifiedDlqRecordId } from './record-id.ts';
import { countByErrorClass, type DlqFilter, matchesDlqFilter } from './select.ts';
import type { FailureExplanation } from './why.ts';

export interface DlqListing {
  topic: string;
  /** Records in the DLQ topic before filtering. */
  total: number;
  entries: Array<DlqEntry & { redriven?: LedgerEntry; why?: FailureExplanation }>;
  countsByErrorClass: Array<{ errorClass: string; count: number }>;
}

export async function listDlq(kafka: Kafka, tenant: string, filter: DlqFilter = {}): Promise<DlqListing> {
  const [all, ledger] = await Promise.all([readDlq(kafka, tenant), readLedger(kafka, tenant)]);
  const entries = all
    .filter((entry) => matchesDlqFilter(entry, filter))
    .map((entry) => {
      const redriven = ledger.get(qualifiedDlqRecordId(entry.topic, entry.partition, entry.offset));
      return redriven ? { ...entry, redriven } : entry;
    });
  return {
    topic: dlqTopicName(tenant),
    total: all.length,
    entries,
    countsByErrorClass: countByErrorClass(entries),
  };
}

/** One record with its redrive status, for `dlq show`. */
export async function getDlqEntry(
  kafka: Kafka,
  tenant: string,
  id: DlqRecordId,
): Promise<DlqEntry & { redriven?: LedgerEntry }> {
  const [entry, ledger] = await Promise.all([readDlqRecord(kafka, tenant, id), readLedger(kafka, tenant)]);
  const redriven = ledger.get(qualifiedDlqRecordId(entry.topic, entry.partition, entry.offset));
  return redriven ? { ...entry, redriven } : entry;
}
