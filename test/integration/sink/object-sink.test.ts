import { describe, expect, it } from 'vitest';
import { sinkStreamName } from '../../../lib/core/naming.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { startSink } from '../../../lib/local/sink/sink-runner.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { testServices } from '../../support/services.ts';
import { createTopic, produce, sessionView, sinkFixture, until } from './fixtures.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const STAMP = '\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}';

describe('S3 object sinks (Firehose layout), read back by pyarrow', () => {
  it('parquet with partitionBy: one object per day under day=<yyyy-MM-dd>/, typed columns', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-parquet');
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const { topic, sink } = sinkFixture({
      tenant: 'clickstream',
      schemaFile: 'schemas/clickstream/session-view.schema.json',
      sink: { format: 'parquet', partitionBy: [{ transform: 'day', field: 'viewedAt' }] },
    });
    await createTopic(client, topic);
    const views = Array.from({ length: 25 }, (_, i) => sessionView(i));
    await produce(client, topic.name, views);
    const running = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => running.stats().recordsIn === 25, 'the sink to read 25 records');
    await running.stop();

    const read = await readTable(lakehouse.objectsReaderRequest(sink.prefix));
    const stream = sinkStreamName(sink.tenant, sink.key);
    expect(read.keys).toHaveLength(2);
    for (const [i, day] of ['2026-11-22', '2026-11-23'].entries())
      expect(read.keys![i]).toMatch(
        new RegExp(`^${sink.prefix}day=${day}/${stream}-1-${STAMP}-${UUID}\\.parquet$`),
      );
    expect(read.rowCount).toBe(25);
    expect(read.rows!.map((r) => r.eventId).sort()).toEqual(views.map((v) => v.eventId).sort());
    expect(Object.fromEntries(read.schema!.map((f) => [f.name, f.type]))).toMatchObject({
      durationMs: 'int64',
      viewedAt: 'timestamp[us, tz=UTC]',
      referrerHost: 'string',
    });
    expect(running.stats()).toMatchObject({ rowsDelivered: 25, commits: 2 });
  });

  it('json without partitionBy: gzip JSON lines under the yyyy/MM/dd/HH/ arrival-time prefix', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-json');
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const { topic, sink } = sinkFixture({
      tenant: 'clickstream',
      schemaFile: 'schemas/clickstream/session-view.schema.json',
      sink: { format: 'json' },
    });
    await createTopic(client, topic);
    const views = Array.from({ length: 12 }, (_, i) => sessionView(i));
    await produce(client, topic.name, views);
    const arrival = Date.now();
    const running = await startSink(sink, topic, { kafka: client, lakehouse, clock: () => arrival });
    await until(() => running.stats().recordsIn === 12, 'the sink to read 12 records');
    await running.stop();

    const read = await readTable(lakehouse.objectsReaderRequest(sink.prefix));
    const d = new Date(arrival);
    const hour = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCHours()).padStart(2, '0')}`;
    const stamp = d.toISOString().slice(0, 19).replace(/[T:]/g, '-');
    expect(read.keys).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${sink.prefix}${hour}/${sinkStreamName(sink.tenant, sink.key)}-1-${stamp}-${UUID}\\.gz$`,
        ),
      ),
    ]);
    // Kafka keeps order per partition only; the object holds every record once, as produced.
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.eventId).localeCompare(String(b.eventId));
    expect(read.rows!.sort(byId)).toEqual([...views].sort(byId));
  });
});
