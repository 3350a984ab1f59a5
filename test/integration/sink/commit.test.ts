import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { icebergSchemaFromJsonSchema } from '../../../lib/local/sink/iceberg-schema.ts';
import { IcebergTableWriter } from '../../../lib/local/sink/iceberg-table-writer.ts';
import { createLakehouse, type Lakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { toRow } from '../../../lib/local/sink/row-values.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { loadSchema, sessionView } from './fixtures.ts';

const schema = icebergSchemaFromJsonSchema(loadSchema('schemas/clickstream/session-view.schema.json'));

async function race(lakehouse: Lakehouse) {
  const table = {
    tenant: 'clickstream',
    database: 'stratus_clickstream',
    table: uniqueName('race').replace('-', '_'),
  };
  const open = () =>
    IcebergTableWriter.open({
      catalog: lakehouse.catalog,
      table,
      schema,
      partitionBy: [{ transform: 'day', field: 'viewedAt' }],
    });
  // Both writers load the same (empty) table; the second commit finds the first one's metadata current.
  const [a, b] = [await open(), await open()];
  await a.append(
    [0, 1, 2].map((i) => toRow(schema, sessionView(i))),
    { 'x-0': '3' },
  );
  await b.append(
    [3, 4].map((i) => toRow(schema, sessionView(i))),
    { 'x-1': '2' },
  );
  return readTable(lakehouse.readerRequest(table.database, table.table));
}

describe('Iceberg commits under a concurrent writer', () => {
  for (const kind of ['directory', 'aws'] as const) {
    it(`${kind} catalog: the losing writer re-bases on the winner's snapshot and both appends survive`, async () => {
      const lakehouse =
        kind === 'directory'
          ? createLakehouse({ kind, dir: mkdtempSync(path.join(os.tmpdir(), 'wh-')) })
          : createLakehouse({ kind, aws: testServices().aws });
      const read = await race(lakehouse);
      expect(read.rows!.map((r) => r.eventId).sort()).toEqual(['pv-0', 'pv-1', 'pv-2', 'pv-3', 'pv-4']);
      expect(JSON.parse(read.snapshotSummary!['stratus.kafka-offsets']!)).toEqual({ 'x-0': '3', 'x-1': '2' });
      expect(read.snapshotSummary!['total-records']).toBe('5');
    });
  }
});
