/**
 * Rows per second into an Iceberg table through the local sink's delivery path, against writing the same
 * rows with the Parquet library (hyparquet-writer) alone, measured in the same process.
 *
 * Sink: Kafka-shaped records (JSON bytes, as the consumer hands them over) → JSON decode → typed rows →
 * unique-key de-duplication → one Parquet file per day partition → Avro manifest and manifest list → metadata
 * JSON → atomic commit in a local directory catalog (the snapshot also records the Kafka offsets).
 * Parquet alone: the same records → the same JSON decode and typing → one Parquet file on the same disk:
 * what dumping the buffer to Parquet costs with the library and nothing else. The ratio therefore charges the
 * sink with what Iceberg adds: de-duplication, the split into partition files, manifests, manifest list,
 * metadata and the commit.
 * Kafka and S3 are left out on both sides: their latency is not the sink's cost, and the machine is shared.
 * Rounds alternate which side goes first; the median round counts. The figure is process CPU time (file
 * writes included: libuv's threads are this process's), not wall time, because the machine is shared and
 * other engineers' jobs make wall time swing by ±50 %; the wall-time figures are printed too.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { BufferedRecord } from '../lib/local/sink/delivery-buffer.ts';
import { nextOffsets } from '../lib/local/sink/delivery-buffer.ts';
import { DirectoryCatalog } from '../lib/local/sink/directory-catalog.ts';
import { icebergSchemaFromJsonSchema } from '../lib/local/sink/iceberg-schema.ts';
import { IcebergTableWriter } from '../lib/local/sink/iceberg-table-writer.ts';
import { IcebergTarget } from '../lib/local/sink/iceberg-target.ts';
import { writeParquet } from '../lib/local/sink/parquet-file.ts';
import { toRow } from '../lib/local/sink/row-values.ts';

// A full collection before each measured side, so neither pays for the other's garbage.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** About 15 MB of JSON: a quarter of the payments sink's 64 MiB buffer. */
const ROWS_PER_BUFFER = 50_000;
const ROUNDS = 11;

const jsonSchema = JSON.parse(
  readFileSync(path.join(root, 'schemas/payments/order-enriched.schema.json'), 'utf8'),
) as Record<string, unknown>;
const schema = icebergSchemaFromJsonSchema(jsonSchema, ['eventId']);

function order(i: number): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    type: i % 4 === 0 ? 'order.updated' : 'order.created',
    orderId: `ord-${i}`,
    customerId: `cust-${i % 997}`,
    amount: 10 + (i % 1000) / 4,
    currency: ['EUR', 'USD', 'GBP'][i % 3],
    amountEur: 10 + (i % 1000) / 5,
    itemCount: 1 + (i % 9),
    riskBand: ['low', 'medium', 'high'][i % 3],
    ...(i % 2 === 0 ? { country: 'FR' } : {}),
    createdAt: new Date(Date.UTC(2026, 10, 20 + (i % 3), i % 24, i % 60, i % 60, i % 1000)).toISOString(),
    enrichedAt: new Date(Date.UTC(2026, 10, 24, 8, 0, 0, i % 1000)).toISOString(),
  };
}

function buffers(round: number): BufferedRecord[] {
  return Array.from({ length: ROWS_PER_BUFFER }, (_, i) => ({
    topic: 'payments.orders-enriched',
    partition: i % 6,
    offset: String(round * ROWS_PER_BUFFER + i),
    timestampMs: 0,
    arrivalMs: 0,
    value: Buffer.from(JSON.stringify(order(i))),
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-sink-bench-'));
try {
  const writer = await IcebergTableWriter.open({
    catalog: new DirectoryCatalog(path.join(dir, 'warehouse')),
    table: { tenant: 'payments', database: 'stratus_payments', table: 'orders_enriched' },
    schema,
    partitionBy: [{ transform: 'day', field: 'createdAt' }],
  });
  const target = new IcebergTarget(writer, 'bench');
  const cpu = { sink: [] as number[], parquet: [] as number[] };
  const wall = { sink: [] as number[], parquet: [] as number[] };
  const measure = async (side: 'sink' | 'parquet', run: () => Promise<void> | void, counted: boolean) => {
    collectGarbage();
    const cpuStart = process.cpuUsage();
    const wallStart = process.hrtime.bigint();
    await run();
    const used = process.cpuUsage(cpuStart);
    if (!counted) return;
    cpu[side].push(ROWS_PER_BUFFER / ((used.user + used.system) / 1e6));
    wall[side].push(ROWS_PER_BUFFER / (Number(process.hrtime.bigint() - wallStart) / 1e9));
  };
  for (let round = -1; round < ROUNDS; round++) {
    const records = buffers(round + 1);
    // Round -1 warms up the JIT and the file system.
    const counted = round >= 0;
    const sinkSide = async () => {
      const result = await target.deliver(records, nextOffsets(records));
      if (result.rows !== ROWS_PER_BUFFER) throw new Error(`the sink wrote ${result.rows} rows`);
    };
    const parquetSide = () => {
      const rows = records.map((r) => toRow(schema, JSON.parse(r.value!.toString('utf8'))));
      writeFileSync(path.join(dir, `baseline-${round + 1}.parquet`), writeParquet(schema, rows).bytes);
    };
    if (round % 2 === 0) {
      await measure('sink', sinkSide, counted);
      await measure('parquet', parquetSide, counted);
    } else {
      await measure('parquet', parquetSide, counted);
      await measure('sink', sinkSide, counted);
    }
  }
  const sink = median(cpu.sink);
  const parquet = median(cpu.parquet);
  console.log(
    JSON.stringify({
      bench: 'sink',
      rowsPerCommit: ROWS_PER_BUFFER,
      rounds: ROUNDS,
      icebergSinkRowsPerCpuSec: Math.round(sink),
      parquetOnlyRowsPerCpuSec: Math.round(parquet),
      ratio: Number((sink / parquet).toFixed(3)),
      goal: 0.8,
      icebergSinkRowsPerWallSec: Math.round(median(wall.sink)),
      parquetOnlyRowsPerWallSec: Math.round(median(wall.parquet)),
      wallRatio: Number((median(wall.sink) / median(wall.parquet)).toFixed(3)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
