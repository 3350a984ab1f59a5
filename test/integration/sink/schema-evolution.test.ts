/**
 * A compatible schema change evolves the local Iceberg table (lib/local/sink/schema-evolution.ts): a sink runs
 * with the topic's first schema, then restarts with the next one (an optional property added, a required one
 * made optional, as `stratus dev` restarts after a schema edit); pyiceberg reads both generations of rows
 * through the evolved schema, the new column with a new field id and null in the old rows.
 */
import { describe, expect, it } from 'vitest';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { startSink } from '../../../lib/local/sink/sink-runner.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { testServices } from '../../support/services.ts';
import { createTopic, produce, sinkFixture, until } from './fixtures.ts';

describe('Iceberg schema evolution in the local sink', () => {
  it('adds a column with a new field id and makes a column optional; pyiceberg reads old and new rows', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-evolution');
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const { topic, sink } = sinkFixture({
      tenant: 'evolve',
      schemaFile: 'schemas/payments/order-enriched.schema.json',
      sink: { format: 'iceberg' },
    });
    const v1 = {
      type: 'object',
      required: ['id', 'amount', 'region'],
      properties: { id: { type: 'string' }, amount: { type: 'number' }, region: { type: 'string' } },
    };
    const v2 = {
      ...v1,
      required: ['id', 'amount'],
      properties: { ...v1.properties, channel: { type: 'string' }, items: { type: 'integer' } },
    };
    await createTopic(client, topic);

    await produce(
      client,
      topic.name,
      [0, 1, 2].map((i) => ({ id: `a${i}`, amount: i + 0.5, region: 'eu' })),
    );
    const first = await startSink(sink, { ...topic, schema: v1 }, { kafka: client, lakehouse });
    await until(() => first.stats().recordsIn === 3, 'the first sink to read 3 records');
    await first.stop();

    await produce(client, topic.name, [
      { id: 'b0', amount: 1, channel: 'web', items: 2 },
      { id: 'b1', amount: 2, region: 'us', channel: 'app', items: 5 },
    ]);
    const changes: string[] = [];
    const second = await startSink(
      sink,
      { ...topic, schema: v2 },
      { kafka: client, lakehouse, log: (l) => changes.push(l) },
    );
    await until(() => second.stats().recordsIn === 2, 'the second sink to read 2 records');
    await second.stop();

    const table_ = `table ${sink.database}.${sink.table}: `;
    expect(changes.filter((l) => l.startsWith(table_))).toEqual([
      `${table_}column region made optional`,
      `${table_}column channel added (string, field id 4)`,
      `${table_}column items added (long, field id 5)`,
    ]);
    const table = await readTable(lakehouse.readerRequest(sink.database, sink.table));
    expect(table.rowCount).toBe(5);
    expect(table.schema!.map((f) => [f.id, f.name, f.type, f.required])).toEqual([
      [1, 'id', 'string', true],
      [2, 'amount', 'double', true],
      [3, 'region', 'string', false],
      [4, 'channel', 'string', false],
      [5, 'items', 'long', false],
    ]);
    const byId = Object.fromEntries(table.rows!.map((r) => [r.id, r]));
    expect(byId.a1).toMatchObject({ amount: 1.5, region: 'eu', channel: null, items: null });
    expect(byId.b0).toMatchObject({ region: null, channel: 'web', items: 2 });
    expect(byId.b1).toMatchObject({ region: 'us', channel: 'app', items: 5 });
  });
});
