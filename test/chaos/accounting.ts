/**
 * The chaos runs' independent accounting, from what is stored, not from the runtime's counters: every record of
 * every consumer's topic through the demo's readers (lib/local/demo: read-topics, accounting — delivered,
 * dead-lettered, filtered, lost, duplicated, misrouted), and every Iceberg table with unique keys read back
 * by pyiceberg and compared, key by key, with the records of its sink's topic.
 */
import { Kafka, logLevel } from 'kafkajs';
import { awsClientConfig } from '../../lib/core/aws-client-config.ts';
import { recordCoordinate } from '../../lib/core/record-coordinate.ts';
import { localConsumerGroups } from '../../lib/local/consumer-groups.ts';
import {
  accountConsumers,
  type ConsumerAccount,
  type DroppedRecords,
  topicsToRead,
} from '../../lib/local/demo/accounting.ts';
import { waitUntilDrained } from '../../lib/local/demo/drain.ts';
import { readDroppedRecords } from '../../lib/local/demo/drop-evidence-log.ts';
import { readTopics } from '../../lib/local/demo/read-topics.ts';
import { DEMO_HEADERS } from '../../lib/local/demo/types.ts';
import { createLakehouse } from '../../lib/local/sink/lakehouse.ts';
import { readTable } from '../../lib/local/sink/table-reader.ts';
import type { TenantSpec } from '../../lib/manifest/spec.ts';
import type { RangeRecord } from '../../lib/ops/shared/read-range.ts';

export interface TableAccount {
  table: string;
  /** Distinct unique keys among the records of the sink's topic. */
  keys: number;
  rows: number;
  /** Keys in the topic with no row. */
  lost: number;
  /** Rows beyond the first of their key. */
  duplicateRows: number;
}

export interface ChaosAccount {
  consumers: Array<
    Pick<
      ConsumerAccount,
      | 'consumer'
      | 'input'
      | 'delivered'
      | 'deadLettered'
      | 'filtered'
      | 'dropped'
      | 'lost'
      | 'duplicates'
      | 'duplicateDeadLetters'
      | 'misrouted'
      // Where to start looking when a run loses or repeats a record: printed with the figures.
      | 'lostSamples'
      | 'duplicateSamples'
      | 'misroutedSamples'
    >
  >;
  tables: TableAccount[];
  /** Valid records dead-lettered or poison delivered, over every consumer: the DLQ must hold only poison. */
  misrouted: number;
  lost: number;
  duplicateRows: number;
}

export async function accountChaos(options: {
  tenants: readonly TenantSpec[];
  brokers: string[];
  awsEndpoint: string;
  region: string;
  /**
   * The handlers' log of the run (`<stateDir>/logs/functions.log`), for the SDK's drop evidence (see
   * `producerDuplicateDrops`).
   */
  functionLog: string;
  /** @default 240000 */
  drainTimeoutMs?: number;
}): Promise<ChaosAccount> {
  const kafka = new Kafka({
    clientId: 'stratus-chaos-accounting',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const groups = options.tenants.flatMap(localConsumerGroups);
    await waitUntilDrained(admin, groups, { timeoutMs: options.drainTimeoutMs ?? 240_000 });
    const records = await readTopics(kafka, topicsToRead(options.tenants));
    const dropped = producerDuplicateDrops(records, readDroppedRecords(options.functionLog, 0));
    const consumers = accountConsumers({ tenants: options.tenants, records, dropped }).map((a) => ({
      consumer: a.consumer,
      input: a.input,
      delivered: a.delivered,
      deadLettered: a.deadLettered,
      filtered: a.filtered,
      dropped: a.dropped,
      lost: a.lost,
      duplicates: a.duplicates,
      duplicateDeadLetters: a.duplicateDeadLetters,
      misrouted: a.misrouted,
      lostSamples: a.lostSamples,
      duplicateSamples: a.duplicateSamples,
      misroutedSamples: a.misroutedSamples,
    }));
    const lakehouse = createLakehouse({
      kind: 'aws',
      aws: awsClientConfig({ region: options.region, endpoint: options.awsEndpoint }),
    });
    const tables: TableAccount[] = [];
    for (const tenant of options.tenants)
      for (const sink of tenant.sinks) {
        if (sink.format !== 'iceberg' || !sink.uniqueKeys?.length) continue;
        const keyOf = (value: Record<string, unknown>) =>
          JSON.stringify(sink.uniqueKeys!.map((k) => value[k]));
        const sinkRecords = (await readTopics(kafka, [sink.topic])).get(sink.topic) ?? [];
        const topicKeys = new Set<string>();
        for (const record of sinkRecords) {
          try {
            topicKeys.add(
              keyOf(JSON.parse(record.value?.toString('utf8') ?? 'null') as Record<string, unknown>),
            );
          } catch {
            // Not JSON: the sink writes it to its error prefix, it has no key.
          }
        }
        const table = await readTable(lakehouse.readerRequest(sink.database, sink.table));
        const rowKeys = (table.rows ?? []).map((row) => keyOf(row));
        const held = new Set(rowKeys);
        tables.push({
          table: `${sink.database}.${sink.table}`,
          keys: topicKeys.size,
          rows: rowKeys.length,
          lost: [...topicKeys].filter((key) => !held.has(key)).length,
          duplicateRows: rowKeys.length - held.size,
        });
      }
    return {
      consumers,
      tables,
      misrouted: consumers.reduce((sum, c) => sum + c.misrouted, 0),
      lost: consumers.reduce((sum, c) => sum + c.lost, 0) + tables.reduce((sum, t) => sum + t.lost, 0),
      duplicateRows: tables.reduce((sum, t) => sum + t.duplicateRows, 0),
    };
  } finally {
    await admin.disconnect();
  }
}

/**
 * The drop evidence a chaos run accepts: only for a later copy of a demo event Kafka holds more than once (a
 * producer's send retried across a broker kill), which the consumer's idempotency rightly skips. Any other
 * drop would hide a lost record here, so it does not count (the record is then lost).
 */
function producerDuplicateDrops(
  records: ReadonlyMap<string, readonly RangeRecord[]>,
  dropped: DroppedRecords,
): DroppedRecords {
  const first = new Map<string, RangeRecord>();
  const copies: RangeRecord[] = [];
  for (const record of [...records.values()].flat()) {
    const run = record.headers[DEMO_HEADERS.run];
    const seq = record.headers[DEMO_HEADERS.seq];
    if (run === undefined || seq === undefined) continue;
    const event = `${record.topic}\0${run}\0${seq}`;
    const seen = first.get(event);
    if (!seen) first.set(event, record);
    else if (BigInt(record.offset) > BigInt(seen.offset)) copies.push(record);
    else {
      copies.push(seen);
      first.set(event, record);
    }
  }
  const later = new Set(copies.map((r) => recordCoordinate(r.topic, r.partition, r.offset)));
  return new Map(
    [...dropped].map(([groupId, byRecord]) => [
      groupId,
      new Map([...byRecord].filter(([at]) => later.has(at))),
    ]),
  );
}
