/**
 * Rows per sink table, read by the independent reader (pyiceberg / pyarrow through lib/local/sink/read_table.py),
 * compared with the records in the sink's topic. Tables with unique keys de-duplicate, so a row count below
 * the record count is only a loss when the topic's keys were unique — which the demo's event ids are.
 */
import type { Admin } from 'kafkajs';
import { sinkGroupId } from '../../core/naming.ts';
import type { Runtime } from '../runtime.ts';
import { readTable } from '../sink/table-reader.ts';
import { waitUntilDrained } from './drain.ts';

export interface SinkAccount {
  tenant: string;
  /** `<tenant>.<sink>`. */
  sink: string;
  format: string;
  destination: string;
  topic: string;
  /** Records in the sink's topic. */
  records: number;
  /** Rows the independent reader counted; null when it could not read. */
  rows: number | null;
  lost: number;
  duplicates: number;
  /** Why the reader failed, when it did. */
  error?: string;
}

export async function accountSinks(
  runtime: Runtime,
  admin: Admin,
  say: (line: string) => void,
): Promise<SinkAccount[]> {
  if (runtime.sinks.length === 0) return [];
  say('delivering the sinks’ buffers and reading the tables back with pyiceberg …');
  const targets = runtime.sinks.map((s) => ({
    groupId: sinkGroupId(s.spec.tenant, s.spec.key),
    topic: s.spec.topic,
  }));
  // Flush until every sink group has committed the end of its topic (records may still be on their way in).
  const deadline = Date.now() + 120_000;
  for (;;) {
    await runtime.flushSinks();
    try {
      await waitUntilDrained(admin, targets, { timeoutMs: 1_500 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
  return Promise.all(
    runtime.sinks.map(async ({ spec, sink }): Promise<SinkAccount> => {
      const offsets = await admin.fetchTopicOffsets(spec.topic);
      const records = offsets.reduce((total, p) => total + Number(p.high) - Number(p.low), 0);
      const request =
        spec.format === 'iceberg'
          ? runtime.lakehouse.readerRequest(spec.database, spec.table)
          : runtime.lakehouse.objectsReaderRequest(spec.prefix);
      const base = {
        tenant: spec.tenant,
        sink: `${spec.tenant}.${spec.key}`,
        format: spec.format,
        destination: sink.stats().destination,
        topic: spec.topic,
        records,
      };
      try {
        const { rowCount } = await readTable({ ...request, rows: false });
        return {
          ...base,
          rows: rowCount,
          lost: Math.max(0, records - rowCount),
          duplicates: Math.max(0, rowCount - records),
        };
      } catch (error) {
        return { ...base, rows: null, lost: 0, duplicates: 0, error: (error as Error).message };
      }
    }),
  );
}
