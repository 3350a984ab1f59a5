/**
 * Iceberg v2 manifests and manifest lists as Avro, with the spec's field ids.
 * Spec, "Manifests" (manifest_entry, data_file) and "Manifest Lists" (manifest_file):
 * https://iceberg.apache.org/spec/#manifests
 */
import { type AvroSchema, intKeyMap, optional, readAvroFile, writeAvroFile } from './avro-container.ts';
import type { IcebergPrimitive, IcebergSchema } from './iceberg-schema.ts';
import type { BoundPartitionField, PartitionSpec } from './partition-spec.ts';
import type { IcebergValue } from './row-values.ts';
import { compareValues, singleValueBytes } from './single-value.ts';

/** A data file to add in a snapshot. */
export interface DataFileEntry {
  path: string;
  sizeBytes: number;
  recordCount: number;
  /** Partition tuple in spec field order (empty for an unpartitioned table). */
  partition: IcebergValue[];
  valueCounts: Map<number, number>;
  nullValueCounts: Map<number, number>;
  /** Per column id, in the column's Iceberg type (see ColumnMetrics). */
  lowerBounds: Map<number, bigint | number>;
  upperBounds: Map<number, bigint | number>;
}

/** A manifest as listed in a manifest list. */
export interface ManifestListEntry {
  path: string;
  lengthBytes: number;
  specId: number;
  addedSnapshotId: number;
  sequenceNumber: number;
  addedFilesCount: number;
  addedRowsCount: number;
  /** Per partition field: contains null, lower and upper bound. */
  partitions: { containsNull: boolean; lower?: Buffer; upper?: Buffer }[];
}

function avroType(type: IcebergPrimitive | 'int'): unknown {
  switch (type) {
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    default:
      return type;
  }
}

function manifestEntrySchema(bound: BoundPartitionField[]): AvroSchema {
  const partition = {
    type: 'record',
    name: 'r102',
    fields: bound.map((b) => optional(b.field.name, b.field['field-id'], avroType(b.resultType))),
  };
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      { name: 'content', type: 'int', 'field-id': 134 },
      { name: 'file_path', type: 'string', 'field-id': 100 },
      { name: 'file_format', type: 'string', 'field-id': 101 },
      { name: 'partition', type: partition, 'field-id': 102 },
      { name: 'record_count', type: 'long', 'field-id': 103 },
      { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
      optional('column_sizes', 108, intKeyMap(117, 118, 'long')),
      optional('value_counts', 109, intKeyMap(119, 120, 'long')),
      optional('null_value_counts', 110, intKeyMap(121, 122, 'long')),
      optional('nan_value_counts', 137, intKeyMap(138, 139, 'long')),
      optional('lower_bounds', 125, intKeyMap(126, 127, 'bytes')),
      optional('upper_bounds', 128, intKeyMap(129, 130, 'bytes')),
      optional('key_metadata', 131, 'bytes'),
      optional('split_offsets', 132, { type: 'array', items: 'long', 'element-id': 133 }),
      optional('equality_ids', 135, { type: 'array', items: 'int', 'element-id': 136 }),
      optional('sort_order_id', 140, 'int'),
    ],
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int', 'field-id': 0 },
      optional('snapshot_id', 1, 'long'),
      optional('sequence_number', 3, 'long'),
      optional('file_sequence_number', 4, 'long'),
      { name: 'data_file', type: dataFile, 'field-id': 2 },
    ],
  };
}

const MANIFEST_FILE_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
    { name: 'content', type: 'int', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
    optional('partitions', 507, {
      type: 'array',
      'element-id': 508,
      items: {
        type: 'record',
        name: 'r508',
        fields: [
          { name: 'contains_null', type: 'boolean', 'field-id': 509 },
          optional('contains_nan', 518, 'boolean'),
          optional('lower_bound', 510, 'bytes'),
          optional('upper_bound', 511, 'bytes'),
        ],
      },
    }),
    optional('key_metadata', 519, 'bytes'),
  ],
};

/** Avro `long` values are JavaScript numbers in avsc; every long here (ids, micros) is below 2^53. */
function avroValue(value: IcebergValue): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

function mapEntries(map: Map<number, number>): { key: number; value: number }[] {
  return [...map].map(([key, value]) => ({ key, value }));
}

/**
 * One manifest of added data files. Entries leave sequence numbers null so they inherit the snapshot's
 * (spec, "Sequence Number Inheritance"), which is what makes a retried commit safe to re-sequence.
 */
/** Bounds as the spec's single-value binary form, keyed by column id. */
function boundEntries(
  schema: IcebergSchema,
  bounds: Map<number, bigint | number>,
): { key: number; value: Buffer }[] {
  return [...bounds].map(([id, value]) => ({
    key: id,
    value: singleValueBytes(schema.fields.find((f) => f.id === id)!.type, value),
  }));
}

export async function writeManifest(options: {
  schema: IcebergSchema;
  spec: PartitionSpec;
  bound: BoundPartitionField[];
  snapshotId: number;
  files: DataFileEntry[];
}): Promise<{ bytes: Uint8Array; partitions: ManifestListEntry['partitions'] }> {
  const { schema, spec, bound, snapshotId, files } = options;
  const records = files.map((file) => ({
    status: 1, // ADDED
    snapshot_id: snapshotId,
    sequence_number: null,
    file_sequence_number: null,
    data_file: {
      content: 0, // DATA
      file_path: file.path,
      file_format: 'PARQUET',
      partition: Object.fromEntries(
        bound.map((b, i) => [b.field.name, avroValue(file.partition[i] ?? null)]),
      ),
      record_count: file.recordCount,
      file_size_in_bytes: file.sizeBytes,
      column_sizes: null,
      value_counts: mapEntries(file.valueCounts),
      null_value_counts: mapEntries(file.nullValueCounts),
      nan_value_counts: null,
      lower_bounds: boundEntries(schema, file.lowerBounds),
      upper_bounds: boundEntries(schema, file.upperBounds),
      key_metadata: null,
      split_offsets: null,
      equality_ids: null,
      sort_order_id: null,
    },
  }));
  // Spec: a manifest's key-value metadata carries the schema, the partition spec and the content type.
  const bytes = await writeAvroFile(manifestEntrySchema(bound), records, {
    schema: JSON.stringify(schema),
    'schema-id': String(schema['schema-id']),
    'partition-spec': JSON.stringify(spec.fields),
    'partition-spec-id': String(spec['spec-id']),
    'format-version': '2',
    content: 'data',
  });
  return { bytes, partitions: partitionSummaries(bound, files) };
}

function partitionSummaries(
  bound: BoundPartitionField[],
  files: DataFileEntry[],
): ManifestListEntry['partitions'] {
  return bound.map((b, i) => {
    let containsNull = false;
    let lower: NonNullable<IcebergValue> | undefined;
    let upper: NonNullable<IcebergValue> | undefined;
    for (const file of files) {
      const value = file.partition[i] ?? null;
      if (value === null) {
        containsNull = true;
        continue;
      }
      if (lower === undefined || compareValues(value, lower) < 0) lower = value;
      if (upper === undefined || compareValues(value, upper) > 0) upper = value;
    }
    return {
      containsNull,
      lower: lower === undefined ? undefined : singleValueBytes(b.resultType, lower),
      upper: upper === undefined ? undefined : singleValueBytes(b.resultType, upper),
    };
  });
}

/**
 * The manifest list of a snapshot: every manifest of the parent snapshot (its records as read, so their
 * sequence numbers and snapshot ids stay what they were) plus the new ones.
 */
export function writeManifestList(options: {
  snapshotId: number;
  parentSnapshotId: number | null;
  sequenceNumber: number;
  inherited: unknown[];
  manifests: ManifestListEntry[];
}): Promise<Uint8Array> {
  const added = options.manifests.map((m) => ({
    manifest_path: m.path,
    manifest_length: m.lengthBytes,
    partition_spec_id: m.specId,
    content: 0,
    sequence_number: m.sequenceNumber,
    min_sequence_number: m.sequenceNumber,
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: 0,
    deleted_files_count: 0,
    added_rows_count: m.addedRowsCount,
    existing_rows_count: 0,
    deleted_rows_count: 0,
    partitions: m.partitions.map((p) => ({
      contains_null: p.containsNull,
      contains_nan: null,
      lower_bound: p.lower ?? null,
      upper_bound: p.upper ?? null,
    })),
    key_metadata: null,
  }));
  return writeAvroFile(MANIFEST_FILE_SCHEMA, [...options.inherited, ...added], {
    'snapshot-id': String(options.snapshotId),
    'parent-snapshot-id': options.parentSnapshotId === null ? 'null' : String(options.parentSnapshotId),
    'sequence-number': String(options.sequenceNumber),
    'format-version': '2',
  });
}

/** The manifest_file records of a manifest list, to carry into the next snapshot's list. */
export function readManifestList(bytes: Uint8Array): Promise<unknown[]> {
  return readAvroFile(bytes);
}
