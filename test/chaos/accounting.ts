/**
 * The chaos runs' independent accounting, from what is stored, not from the runtime's counters: every record of
 * every consumer's topic through the demo's readers (lib/local/demo: read-topics, accounting — delivered,
 * dead-lettered, filtered, lost, duplicated, misrouted), and every Iceberg table with unique keys read back
 * by pyiceberg and compared, key by key, with the records of its sink's topic.
 */
import { Kafka, logLevel } from 'kafkajs';
import { awsClientConfig } from '../../lib/core/aws-client-config.ts';
import { sinkGroupId } from '../../lib/core/naming.ts';
import { accountConsumers, type ConsumerAccount, topicsToRead } from '../../lib/local/demo/accounting.ts';
import { waitUntilDrained } from '../../lib/local/demo/drain.ts';
import { readTopics } from '../../lib/local/demo/read-topics.ts';
import { createLakehouse } from '../../lib/local/sink/lakehouse.ts';
import { readTable } from '../../lib/local/sink/table-reader.ts';
import type { TenantSpec } from '../../lib/manifest/spec.ts';

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
      'consumer' | 'input' | 'delivered' | 'deadLettered' | 'filtered' | 'lost' | 'duplicates' | 'misrouted'
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
    const groups = options.tenants.flatMap((tenant) => [
      ...tenant.consumers.map((c) => ({ groupId: c.groupId, topic: c.topic })),
      ...tenant.sinks.map((s) => ({ groupId: sinkGroupId(s.tenant, s.key), topic: s.topic })),
    ]);
    await waitUntilDrained(admin, groups, { timeoutMs: options.drainTimeoutMs ?? 240_000 });
    const records = await readTopics(kafka, topicsToRead(options.tenants));
    const consumers = accountConsumers({ tenants: options.tenants, records }).map((a) => ({
      consumer: a.consumer,
      input: a.input,
      delivered: a.delivered,
      deadLettered: a.deadLettered,
      filtered: a.filtered,
      lost: a.lost,
      duplicates: a.duplicates,
      misrouted: a.misrouted,
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
