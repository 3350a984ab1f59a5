/**
 * Accounts for every record a consumer was given, from what is in Kafka and in the handlers' log, independently
 * of the runtime's own counters: each record of the consumer's topic must be exactly one of
 *   delivered     — its outputs are there: output records whose lineage headers (source topic/partition/offset)
 *                   name it, one per position `stratus-output-index` from 0 to `stratus-output-count` − 1;
 *   dropped       — the SDK's drop evidence names it (the processor returned nothing, an idempotency duplicate,
 *                   a tombstone; lib/core/drop-evidence.ts) and nothing else accounts for it;
 *   dead-lettered — a DLQ envelope of this consumer whose source coordinates name it;
 *   filtered      — the manifest's filters reject it (evaluated here with lib/core/event-filter.ts);
 *   discarded     — the event-source mapping gave up on it and the consumer has no on-failure destination
 *                   (`onFailure: none`: Lambda discards such records), as the runtime reported it.
 * A record that is none of these is lost (so is one whose fan-out is incomplete); an output position present
 * twice, or a record both delivered and dead-lettered (or filtered), is a duplicate. Drop evidence never makes a
 * duplicate: a record re-delivered after a crash may be reported twice, or dropped once and delivered on the
 * retry, and in both cases nothing reached the output twice. For consumers without an output topic,
 * "delivered" is what the group committed past. Demo records also carry their kind (known by construction),
 * so a poison record that was delivered or dropped, or a valid one that was dead-lettered, is misrouted.
 */

import { type DlqEnvelope, parseDlqEnvelope } from '../../core/dlq-envelope.ts';
import type { DropReason } from '../../core/drop-evidence.ts';
import { type FilterableRecord, matchesFilters } from '../../core/event-filter.ts';
import { LINEAGE_HEADERS } from '../../core/lineage.ts';
import { encodeHeaders } from '../../core/msk-event.ts';
import { recordCoordinate } from '../../core/record-coordinate.ts';
import type { ConsumerSpec, TenantSpec } from '../../manifest/spec.ts';
import type { RangeRecord } from '../../ops/shared/read-range.ts';
import { DEMO_HEADERS, type DemoRecordKind, POISON_KINDS } from './types.ts';

export interface KindCounts {
  produced: number;
  delivered: number;
  dropped: number;
  deadLettered: number;
  filtered: number;
  discarded: number;
}

export interface ConsumerAccount {
  tenant: string;
  /** Group id, `<tenant>.<consumer>`. */
  consumer: string;
  topic: string;
  output?: string;
  /** Records in the consumer's topic. */
  input: number;
  /** Input records with all their outputs in the output topic (committed past, for a consumer). */
  delivered: number;
  /** Output records written for this consumer's input (a fan-out of 3 counts 3), repeats excluded. */
  outputs: number;
  /** Input records the handler produced nothing for on purpose, by the SDK's drop evidence. */
  dropped: number;
  deadLettered: number;
  filtered: number;
  /** Input records the mapping gave up on without an on-failure destination (`onFailure: none`). */
  discarded: number;
  /** Input records accounted for nowhere, or whose fan-out is incomplete. */
  lost: number;
  /**
   * Output positions written more than once, DLQ envelopes beyond the first for a record, plus records both
   * delivered and dead-lettered or filtered.
   */
  duplicates: number;
  /**
   * The part of `duplicates` that is repeated DLQ envelopes: a poison record is not tracked by idempotency, so a
   * crash between its dead-lettering and the offset commit dead-letters it again on the re-delivery (at least
   * once, as Lambda's on-failure destinations are).
   */
  duplicateDeadLetters: number;
  /**
   * Poison records that were delivered or dropped, or valid ones that were dead-lettered or discarded (demo
   * records only).
   */
  misrouted: number;
  /** Output or DLQ records naming a source record that is not in the topic. */
  unexpected: number;
  /** Per demo record kind (source topics only). */
  byKind?: Partial<Record<DemoRecordKind, KindCounts>>;
  /** A few lost records' coordinates, to start looking. */
  lostSamples: string[];
  /** A few duplicated records' coordinates and what was repeated. */
  duplicateSamples: string[];
  /** A few misrouted records' coordinates, their kind and where they went (the DLQ's reason and error). */
  misroutedSamples: string[];
}

/** Drop evidence per consumer group id: `topic/partition@offset` → why the record produced nothing. */
export type DroppedRecords = ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<DropReason>>>;

export interface AccountingInput {
  tenants: readonly TenantSpec[];
  /** Every record of every topic involved, as read back from Kafka. */
  records: ReadonlyMap<string, readonly RangeRecord[]>;
  /** Committed offsets per group id and `topic/partition`, for consumers without an output topic. */
  committed?: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** The SDK's drop evidence, read back from the handlers' log (see drop-evidence-log.ts). */
  dropped?: DroppedRecords;
  /**
   * Per group id, the `topic/partition@offset` of records the event-source mapping discarded (retries or age
   * exhausted, no on-failure destination), as the runtime's observer saw them.
   */
  discarded?: ReadonlyMap<string, ReadonlySet<string>>;
}

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

/** The outputs of one source record: how many times each position was written, and the fan-out size. */
interface OutputsOfRecord {
  positions: Map<string, number>;
  count: number;
}

function outputsBySource(tenant: TenantSpec, consumer: ConsumerSpec, input: AccountingInput) {
  const bySource = new Map<string, OutputsOfRecord>();
  if (!consumer.output) return bySource;
  for (const r of input.records.get(consumer.output) ?? []) {
    const h = r.headers;
    if (h[LINEAGE_HEADERS.consumer] !== consumer.key || h[LINEAGE_HEADERS.tenant] !== tenant.name) continue;
    const at = recordCoordinate(
      h[LINEAGE_HEADERS.sourceTopic] ?? '?',
      h[LINEAGE_HEADERS.sourcePartition] ?? '?',
      h[LINEAGE_HEADERS.sourceOffset] ?? '?',
    );
    let outputs = bySource.get(at);
    if (!outputs) {
      outputs = { positions: new Map(), count: 0 };
      bySource.set(at, outputs);
    }
    // Outputs written before the position headers existed count as position 0 of a single output.
    const position = h[LINEAGE_HEADERS.outputIndex] ?? '0';
    outputs.positions.set(position, (outputs.positions.get(position) ?? 0) + 1);
    outputs.count = Math.max(outputs.count, Number(h[LINEAGE_HEADERS.outputCount] ?? 1) || 1);
  }
  return bySource;
}

function accountConsumer(
  tenant: TenantSpec,
  consumer: ConsumerSpec,
  input: AccountingInput,
): ConsumerAccount {
  const records = input.records.get(consumer.topic) ?? [];
  const outputs = outputsBySource(tenant, consumer, input);
  /** Per source record: its DLQ envelopes of this consumer, how many and the first. */
  const deadLetters = new Map<string, { times: number; first: DlqEnvelope }>();
  for (const r of input.records.get(tenant.dlq.name) ?? []) {
    const parsed = parseDlqEnvelope(r.value);
    if (
      !parsed.ok ||
      parsed.envelope.consumer !== consumer.key ||
      parsed.envelope.source.topic !== consumer.topic
    )
      continue;
    const { source } = parsed.envelope;
    const at = recordCoordinate(source.topic, source.partition, source.offset);
    const known = deadLetters.get(at);
    if (known) known.times++;
    else deadLetters.set(at, { times: 1, first: parsed.envelope });
  }
  const committed = input.committed?.get(consumer.groupId);
  const dropEvidence = input.dropped?.get(consumer.groupId);
  const discards = input.discarded?.get(consumer.groupId);

  const account: ConsumerAccount = {
    tenant: tenant.name,
    consumer: consumer.groupId,
    topic: consumer.topic,
    output: consumer.output,
    input: records.length,
    delivered: 0,
    outputs: 0,
    dropped: 0,
    deadLettered: 0,
    filtered: 0,
    discarded: 0,
    lost: 0,
    duplicates: 0,
    duplicateDeadLetters: 0,
    misrouted: 0,
    unexpected: 0,
    lostSamples: [],
    duplicateSamples: [],
    misroutedSamples: [],
  };
  const duplicated = (at: string, times: number, what: string): void => {
    account.duplicates += times;
    if (times > 0 && account.duplicateSamples.length < 5) account.duplicateSamples.push(`${at} (${what})`);
  };
  const seen = new Set<string>();
  for (const record of records) {
    const at = recordCoordinate(record.topic, record.partition, record.offset);
    seen.add(at);
    const filtered = !matchesFilters(filterable(record), consumer.filters);
    const dead = deadLetters.get(at)?.times ?? 0;
    // A discarded record is committed past too: for a consumer without outputs that is not a delivery.
    const gaveUp = discards?.has(at) ?? false;
    let delivered = false;
    let partial = false;
    const written = outputs.get(at);
    if (written) {
      account.outputs += written.positions.size;
      for (const [position, times] of written.positions)
        duplicated(at, times - 1, `output ${position} written ${times}×`);
      const complete = Array.from({ length: written.count }, (_, i) => String(i)).every((position) =>
        written.positions.has(position),
      );
      delivered = complete;
      partial = !complete;
    }
    if (!consumer.output && !filtered && dead === 0 && !gaveUp) {
      const position = committed?.get(record.partition) ?? -1;
      delivered = Number(record.offset) < position;
    }
    const settled = (delivered || partial ? 1 : 0) + (dead > 0 ? 1 : 0) + (filtered ? 1 : 0);
    // Evidence counts only for a record nothing else accounts for (see the module comment).
    const dropped = settled === 0 && (dropEvidence?.get(at)?.size ?? 0) > 0;
    const discarded = settled === 0 && !dropped && gaveUp;
    if (partial || (settled === 0 && !dropped && !discarded)) {
      account.lost++;
      if (account.lostSamples.length < 5)
        account.lostSamples.push(
          partial ? `${at} (${written!.positions.size} of ${written!.count} outputs)` : at,
        );
    }
    duplicated(
      at,
      Math.max(0, settled - 1),
      [
        ...(delivered || partial ? ['delivered'] : []),
        ...(dead > 0 ? ['dead-lettered'] : []),
        ...(filtered ? ['filtered'] : []),
      ].join(' and '),
    );
    duplicated(at, Math.max(0, dead - 1), `dead-lettered ${dead}×`);
    account.duplicateDeadLetters += Math.max(0, dead - 1);
    if (delivered) account.delivered++;
    if (dropped) account.dropped++;
    if (dead > 0) account.deadLettered++;
    if (filtered) account.filtered++;
    if (discarded) account.discarded++;

    const kind = record.headers[DEMO_HEADERS.kind] as DemoRecordKind | undefined;
    if (kind) {
      account.byKind ??= {};
      account.byKind[kind] ??= {
        produced: 0,
        delivered: 0,
        dropped: 0,
        deadLettered: 0,
        filtered: 0,
        discarded: 0,
      };
      const counts = account.byKind[kind];
      counts.produced++;
      if (delivered) counts.delivered++;
      if (dropped) counts.dropped++;
      if (dead > 0) counts.deadLettered++;
      if (filtered) counts.filtered++;
      if (discarded) counts.discarded++;
      const poison = POISON_KINDS.includes(kind);
      // A poison record's place without a DLQ (`onFailure: none`) is the mapping's discard.
      if (!filtered && ((poison && (delivered || dropped)) || (!poison && (dead > 0 || discarded)))) {
        account.misrouted++;
        // A valid record is misrouted by being dead-lettered or discarded, a poison one by being delivered or
        // dropped.
        const envelope = deadLetters.get(at)?.first;
        const where =
          envelope && !poison
            ? `dead-lettered: ${envelope.reason}, ${envelope.error.class}: ${envelope.error.message}, ${envelope.attempts} attempt(s)`
            : discarded
              ? 'discarded by the mapping (onFailure: none)'
              : delivered
                ? 'delivered'
                : `dropped (${[...(dropEvidence?.get(at) ?? [])].join(', ')})`;
        if (account.misroutedSamples.length < 5) account.misroutedSamples.push(`${at} (${kind}, ${where})`);
      }
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
