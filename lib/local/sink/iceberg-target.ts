/**
 * Delivery into an Iceberg table. Exactly once: the batch's next offsets are committed in the same snapshot
 * as its rows, so after any crash the table says which records it holds and the runner skips them.
 * With unique keys, a batch keeps only the last record per key (in the order of those last records) (Firehose upserts on uniqueKeys; across
 * batches the local sink appends, since equality deletes are not readable by pyiceberg — see README).
 */
import { convertedColumns, RecordConversionError, toIcebergRecord } from '../../core/iceberg-record.ts';
import type { BufferedRecord } from './delivery-buffer.ts';
import { type DeliveryResult, type DeliveryTarget, decodeJson } from './delivery-target.ts';
import type { IcebergTableWriter } from './iceberg-table-writer.ts';
import { type Row, RowConversionError, toRow } from './row-values.ts';

export class IcebergTarget implements DeliveryTarget {
  constructor(
    private readonly writer: IcebergTableWriter,
    readonly description: string,
  ) {}

  committedOffsets(): Record<string, string> {
    return this.writer.committedOffsets();
  }

  async deliver(
    records: BufferedRecord[],
    nextOffsets: Record<string, string>,
    beforeCommit?: (failed: DeliveryResult['failed']) => Promise<void>,
  ): Promise<DeliveryResult> {
    const schema = this.writer.schema;
    // What the sink's Firehose transform does on AWS, so the same records land or fail in both runtimes.
    const converted = convertedColumns(schema.fields);
    const failed: DeliveryResult['failed'] = [];
    let rows: Row[] = [];
    for (const record of records) {
      const decoded = decodeJson(record);
      if ('reason' in decoded) {
        failed.push({ record, reason: decoded.reason });
        continue;
      }
      try {
        rows.push(toRow(schema, toIcebergRecord(converted, decoded.value)));
      } catch (error) {
        if (!(error instanceof RowConversionError) && !(error instanceof RecordConversionError)) throw error;
        failed.push({ record, reason: error.message });
      }
    }
    const keyIds = schema['identifier-field-ids'] ?? [];
    if (keyIds.length > 0)
      rows = lastPerKey(
        rows,
        keyIds.map((id) => schema.fields.findIndex((f) => f.id === id)),
      );
    await beforeCommit?.(failed);
    if (rows.length === 0) return { rows: 0, bytes: 0, failed, commits: 0 };
    const result = await this.writer.append(rows, nextOffsets);
    return { rows: result.rows, bytes: result.bytes, failed, commits: 1 };
  }
}

function lastPerKey(rows: Row[], keyIndexes: number[]): Row[] {
  const keyOf = (row: Row) =>
    keyIndexes.length === 1
      ? String(row[keyIndexes[0]!])
      : JSON.stringify(keyIndexes.map((i) => String(row[i])));
  // Walk backwards so the first sighting of a key is its last record; most buffers have no duplicate at all,
  // and then the rows are returned as they are.
  const seen = new Set<string>();
  const keep: Row[] = [];
  let duplicates = false;
  for (let i = rows.length - 1; i >= 0; i--) {
    const before = seen.size;
    seen.add(keyOf(rows[i]!));
    if (seen.size === before) duplicates = true;
    else keep.push(rows[i]!);
  }
  return duplicates ? keep.reverse() : rows;
}
