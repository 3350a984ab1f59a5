/**
 * `stratus dlq redrive`: re-publishes selected dead letters to their source topic (same key, so the same
 * partition; original headers; `stratus-redrive-count` = previous + 1) and marks them in the redrive ledger.
 * Records that already reached the redrive limit stay in the DLQ; records already in the ledger are not sent again.
 * Envelopes that name the same source record (a crash between dead-lettering and the offset commit dead-letters it
 * again on re-delivery) send it once: the first is redriven, the repeats are marked with it.
 */
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '../../core/dlq-envelope.ts';
import { tenantResourcePrefix } from '../../core/naming.ts';
import { recordCoordinate } from '../../core/record-coordinate.ts';
import type { DlqEntry } from './entry.ts';
import { ensureLedgerTopic, type LedgerEntry, ledgerMessage, REDRIVEN_FROM_HEADER } from './ledger.ts';
import { listDlq } from './list.ts';
import { qualifiedDlqRecordId } from './record-id.ts';
import type { DlqFilter } from './select.ts';

/** @default for `maxRedrives`. */
export const DEFAULT_MAX_REDRIVES = 3;

export interface RedriveOptions {
  kafka: Kafka;
  tenant: string;
  filter?: DlqFilter;
  /**
   * A record whose redrive-count already reached this stays in the DLQ: it failed again after that many redrives.
   * @default 3
   */
  maxRedrives?: number;
  dryRun?: boolean;
  now?: () => Date;
}

export type RedriveDecision =
  | {
      entry: DlqEntry;
      action: 'redrive';
      redriveCount: number;
      target?: LedgerEntry['target'];
      /** Later envelopes of the same source record: not sent, marked in the ledger with this one. */
      repeats?: DlqEntry[];
    }
  | { entry: DlqEntry; action: 'skip'; reason: string };

export interface RedriveOutcome {
  dryRun: boolean;
  decisions: RedriveDecision[];
  redriven: number;
  skipped: number;
}

export async function redriveDlq(options: RedriveOptions): Promise<RedriveOutcome> {
  const maxRedrives = options.maxRedrives ?? DEFAULT_MAX_REDRIVES;
  const listing = await listDlq(options.kafka, options.tenant, options.filter);
  const decisions = onePerSourceRecord(
    listing.entries,
    listing.entries.map((entry) => decide(entry, options.tenant, maxRedrives)),
  );
  const chosen = decisions.filter((decision) => decision.action === 'redrive');
  if (!options.dryRun && chosen.length > 0) await publish(options, chosen);
  return {
    dryRun: options.dryRun ?? false,
    decisions,
    redriven: chosen.length,
    skipped: decisions.length - chosen.length,
  };
}

function decide(
  entry: DlqEntry & { redriven?: LedgerEntry },
  tenant: string,
  maxRedrives: number,
): RedriveDecision {
  if (!entry.envelope) return { entry, action: 'skip', reason: `not a DLQ envelope: ${entry.problem}` };
  if (entry.redriven)
    return { entry, action: 'skip', reason: `already redriven at ${entry.redriven.redrivenAt}` };
  if (entry.redriveCount >= maxRedrives)
    return {
      entry,
      action: 'skip',
      reason: `redrive limit reached (${entry.redriveCount} of ${maxRedrives})`,
    };
  // Never write outside the tenant's own topics, whatever an envelope says.
  if (!entry.envelope.source.topic.startsWith(tenantResourcePrefix(tenant)))
    return {
      entry,
      action: 'skip',
      reason: `source topic ${entry.envelope.source.topic} is not the tenant's`,
    };
  return { entry, action: 'redrive', redriveCount: entry.redriveCount + 1 };
}

/**
 * Keeps the first redrive of each source record (`topic/partition@offset`); a later envelope of the same record
 * becomes a repeat of it, and one whose source record a previous redrive already sent is skipped.
 */
function onePerSourceRecord(
  entries: ReadonlyArray<DlqEntry & { redriven?: LedgerEntry }>,
  decisions: RedriveDecision[],
): RedriveDecision[] {
  const sourceOf = (entry: DlqEntry) => {
    const { topic, partition, offset } = entry.envelope!.source;
    return recordCoordinate(topic, partition, offset);
  };
  const sentBefore = new Map<string, DlqEntry>();
  for (const entry of entries)
    if (entry.envelope && entry.redriven && !sentBefore.has(sourceOf(entry)))
      sentBefore.set(sourceOf(entry), entry);
  const first = new Map<string, Extract<RedriveDecision, { action: 'redrive' }>>();
  return decisions.map((decision) => {
    if (decision.action !== 'redrive') return decision;
    const source = sourceOf(decision.entry);
    const sent = sentBefore.get(source);
    if (sent)
      return {
        entry: decision.entry,
        action: 'skip',
        reason: `its source record ${source} was already redriven from ${sent.id}`,
      };
    const earlier = first.get(source);
    if (!earlier) {
      first.set(source, decision);
      return decision;
    }
    earlier.repeats = [...(earlier.repeats ?? []), decision.entry];
    return {
      entry: decision.entry,
      action: 'skip',
      reason: `repeats ${earlier.entry.id} (same source record ${source}): redriven once, with it`,
    };
  });
}

async function publish(options: RedriveOptions, chosen: RedriveDecision[]): Promise<void> {
  const admin = options.kafka.admin();
  await admin.connect();
  let ledgerTopic: string;
  try {
    ledgerTopic = await ensureLedgerTopic(admin, options.tenant);
  } finally {
    await admin.disconnect();
  }
  // Idempotent, acks from all replicas: the producer's own retries never duplicate a redriven record.
  const producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    for (const decision of chosen) {
      if (decision.action !== 'redrive' || !decision.entry.envelope) continue;
      const { envelope } = decision.entry;
      const dlqRecord = qualifiedDlqRecordId(
        decision.entry.topic,
        decision.entry.partition,
        decision.entry.offset,
      );
      const [written] = await producer.send({
        topic: envelope.source.topic,
        acks: -1,
        messages: [
          {
            key: envelope.record.key === null ? null : Buffer.from(envelope.record.key, 'base64'),
            value: envelope.record.value === null ? null : Buffer.from(envelope.record.value, 'base64'),
            headers: {
              ...envelope.record.headers,
              [DLQ_HEADERS.redriveCount]: String(decision.redriveCount),
              [REDRIVEN_FROM_HEADER]: dlqRecord,
            },
          },
        ],
      });
      const target = {
        topic: envelope.source.topic,
        partition: written?.partition ?? -1,
        offset: written?.baseOffset ?? '-1',
      };
      decision.target = target;
      const redrivenAt = (options.now?.() ?? new Date()).toISOString();
      const marked = [decision.entry, ...(decision.repeats ?? [])].map((entry) =>
        ledgerMessage({
          dlqRecord: qualifiedDlqRecordId(entry.topic, entry.partition, entry.offset),
          redrivenAt,
          redriveCount: decision.redriveCount,
          target,
        }),
      );
      await producer.send({ topic: ledgerTopic, acks: -1, messages: marked });
    }
  } finally {
    await producer.disconnect();
  }
}
