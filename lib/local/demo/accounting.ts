/**
 * Accounts for every record a consumer was given, from what is in Kafka, independently of the runtime's own
 * counters: each record of the consumer's topic must be exactly one of
 *   delivered — an output record whose lineage headers (source topic/partition/offset) name it,
 *   dead-lettered — a DLQ envelope of this consumer whose source coordinates name it,
 *   filtered — the manifest's filters reject it (evaluated here with lib/core/event-filter.ts).
 * None of these is a loss; more than one is a duplicate. For consumers without an output topic, "delivered" is
 * what the group committed past. Demo records also carry their kind (known by construction), so a poison
 * record that was delivered or a valid one that was dead-lettered is counted as misrouted.
 */

import { parseDlqEnvelope } from '../../core/dlq-envelope.ts';
import { type FilterableRecord, matchesFilters } from '../../core/event-filter.ts';
import { LINEAGE_HEADERS } from '../../core/lineage.ts';
import { encodeHeaders } from '../../core/msk-event.ts';
import type { ConsumerSpec, TenantSpec } from '../../manifest/spec.ts';
import type { RangeRecord } from '../../ops/shared/read-range.ts';
import { DEMO_HEADERS, type DemoRecordKind, POISON_KINDS } from './types.ts';

export interface KindCounts {
  produced: number;
  delivered: number;
  deadLettered: number;
  filtered: number;
}

export interface ConsumerAccount {
  tenant: string;
  /** Group id, `<tenant>.<consumer>`. */
  consumer: string;
  topic: string;
  output?: string;
  /** Records in the consumer's topic. */
  input: number;
  delivered: number;
  deadLettered: number;
  filtered: number;
  /** Input records accounted for nowhere. */
  lost: number;
  /** Extra appearances of a record beyond its first (same source coordinates delivered or dead-lettered twice). */
  duplicates: number;
  /** Poison records that were delivered, or valid ones that were dead-lettered or dropped (demo records only). */
  misrouted: number;
  /** Output or DLQ records naming a source record that is not in the topic. */
  unexpected: number;
  /** Per demo record kind (source topics only). */
  byKind?: Partial<Record<DemoRecordKind, KindCounts>>;
  /** A few lost records' coordinates, to start looking. */
  lostSamples: string[];
}

export interface AccountingInput {
  tenants: readonly TenantSpec[];
  /** Every record of every topic involved, as read back from Kafka. */
  records: ReadonlyMap<string, readonly RangeRecord[]>;
  /** Committed offsets per group id and `topic/partition`, for consumers without an output topic. */
  committed?: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

const coordinate = (topic: string, partition: number | string, offset: number | string) =>
  `${topic}/${partition}@${offset}`;

/** The topics the accounting needs read: every consumer's input and output, every tenant's DLQ. */
export function topicsToRead(tenants: readonly TenantSpec[]): string[] {
  const topics = new Set<string>();
  for (const tenant of tenants) {
    topics.add(tenant.dlq.name);
    for (const consumer of tenant.consumers) {
      topics.add(consumer.topic);
      if (consumer.output) topics.add(consumer.output);
    }
  }
  return [...topics];
}

export function accountConsumers(input: AccountingInput): ConsumerAccount[] {
  return input.tenants.flatMap((tenant) =>
    tenant.consumers.map((consumer) => accountConsumer(tenant, consumer, input)),
  );
}

function accountConsumer(
  tenant: TenantSpec,
  consumer: ConsumerSpec,
  input: AccountingInput,
): ConsumerAccount {
  const records = input.records.get(consumer.topic) ?? [];
  const outputs = countBy(
    (consumer.output ? (input.records.get(consumer.output) ?? []) : []).filter(
      (r) =>
        r.headers[LINEAGE_HEADERS.consumer] === consumer.key &&
        r.headers[LINEAGE_HEADERS.tenant] === tenant.name,
    ),
    (r) =>
      coordinate(
        r.headers[LINEAGE_HEADERS.sourceTopic] ?? '?',
        r.headers[LINEAGE_HEADERS.sourcePartition] ?? '?',
        r.headers[LINEAGE_HEADERS.sourceOffset] ?? '?',
      ),
  );
  const deadLetters = countBy(
    (input.records.get(tenant.dlq.name) ?? []).flatMap((r) => {
      const parsed = parseDlqEnvelope(r.value);
      return parsed.ok &&
        parsed.envelope.consumer === consumer.key &&
        parsed.envelope.source.topic === consumer.topic
        ? [parsed.envelope.source]
        : [];
    }),
    (source) => coordinate(source.topic, source.partition, source.offset),
  );
  const committed = input.committed?.get(consumer.groupId);

  const account: ConsumerAccount = {
    tenant: tenant.name,
    consumer: consumer.groupId,
    topic: consumer.topic,
    output: consumer.output,
    input: records.length,
    delivered: 0,
    deadLettered: 0,
    filtered: 0,
    lost: 0,
    duplicates: 0,
    misrouted: 0,
    unexpected: 0,
    lostSamples: [],
  };
  const seen = new Set<string>();
  for (const record of records) {
    const at = coordinate(record.topic, record.partition, record.offset);
    seen.add(at);
    const filtered = !matchesFilters(filterable(record), consumer.filters);
    const dead = deadLetters.get(at) ?? 0;
    let delivered = outputs.get(at) ?? 0;
    if (!consumer.output && !filtered && dead === 0) {
      const position = committed?.get(record.partition) ?? -1;
      delivered = Number(record.offset) < position ? 1 : 0;
    }
    const appearances = delivered + dead + (filtered ? 1 : 0);
    if (appearances === 0) {
      account.lost++;
      if (account.lostSamples.length < 5) account.lostSamples.push(at);
    }
    if (appearances > 1) account.duplicates += appearances - 1;
    if (delivered > 0) account.delivered++;
    if (dead > 0) account.deadLettered++;
    if (filtered) account.filtered++;

    const kind = record.headers[DEMO_HEADERS.kind] as DemoRecordKind | undefined;
    if (kind) {
      account.byKind ??= {};
      account.byKind[kind] ??= { produced: 0, delivered: 0, deadLettered: 0, filtered: 0 };
      const counts = account.byKind[kind];
      counts.produced++;
      if (delivered > 0) counts.delivered++;
      if (dead > 0) counts.deadLettered++;
      if (filtered) counts.filtered++;
      const poison = POISON_KINDS.includes(kind);
      if (!filtered && ((poison && delivered > 0) || (!poison && dead > 0))) account.misrouted++;
    }
  }
  for (const at of [...outputs.keys(), ...deadLetters.keys()]) if (!seen.has(at)) account.unexpected++;
  return account;
}

/** The record as the event-source filter sees it (base64 key/value, Lambda-style headers). */
function filterable(record: RangeRecord): FilterableRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    timestampType: 'CREATE_TIME',
    key: record.key?.toString('base64'),
    value: record.value === null ? null : record.value.toString('base64'),
    headers: encodeHeaders(record.headers),
  };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
