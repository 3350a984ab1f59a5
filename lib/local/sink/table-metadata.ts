/**
 * Iceberg v2 table metadata JSON: a new table, and the metadata after appending one snapshot.
 * Spec, "Table Metadata" and "Snapshots": https://iceberg.apache.org/spec/#table-metadata
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { IcebergSchema } from './iceberg-schema.ts';
import { FIRST_PARTITION_FIELD_ID, type PartitionSpec } from './partition-spec.ts';

/** Snapshot summary property holding the next Kafka offset per `<topic>-<partition>` (JSON). */
export const KAFKA_OFFSETS_PROPERTY = 'stratus.kafka-offsets';

export interface Snapshot {
  'snapshot-id': number;
  'parent-snapshot-id'?: number;
  'sequence-number': number;
  'timestamp-ms': number;
  'manifest-list': string;
  summary: Record<string, string> & { operation: 'append' };
  'schema-id': number;
}

export interface TableMetadata {
  'format-version': 2;
  'table-uuid': string;
  location: string;
  'last-sequence-number': number;
  'last-updated-ms': number;
  'last-column-id': number;
  'current-schema-id': number;
  schemas: IcebergSchema[];
  'default-spec-id': number;
  'partition-specs': PartitionSpec[];
  'last-partition-id': number;
  'default-sort-order-id': number;
  'sort-orders': { 'order-id': number; fields: unknown[] }[];
  properties: Record<string, string>;
  'current-snapshot-id'?: number;
  refs: Record<string, { 'snapshot-id': number; type: 'branch' }>;
  snapshots: Snapshot[];
  'snapshot-log': { 'timestamp-ms': number; 'snapshot-id': number }[];
  'metadata-log': { 'timestamp-ms': number; 'metadata-file': string }[];
}

export function newTableMetadata(options: {
  location: string;
  schema: IcebergSchema;
  spec: PartitionSpec;
  properties?: Record<string, string>;
  nowMs: number;
}): TableMetadata {
  const { schema, spec } = options;
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location: options.location.replace(/\/+$/, ''),
    'last-sequence-number': 0,
    'last-updated-ms': options.nowMs,
    'last-column-id': Math.max(...schema.fields.map((f) => f.id)),
    'current-schema-id': schema['schema-id'],
    schemas: [schema],
    'default-spec-id': spec['spec-id'],
    'partition-specs': [spec],
    // Spec: with no partition fields yet, last-partition-id is 999 so the first field gets 1000.
    'last-partition-id': Math.max(FIRST_PARTITION_FIELD_ID - 1, ...spec.fields.map((f) => f['field-id'])),
    'default-sort-order-id': 0,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    properties: { 'write.format.default': 'parquet', ...options.properties },
    refs: {},
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
  };
}

export function currentSnapshot(metadata: TableMetadata): Snapshot | undefined {
  const id = metadata['current-snapshot-id'];
  return id === undefined || id === -1 ? undefined : metadata.snapshots.find((s) => s['snapshot-id'] === id);
}

/** Next Kafka offset per `<topic>-<partition>` committed with the table's current snapshot. */
export function committedKafkaOffsets(metadata: TableMetadata): Record<string, string> {
  const value = currentSnapshot(metadata)?.summary[KAFKA_OFFSETS_PROPERTY];
  return value ? (JSON.parse(value) as Record<string, string>) : {};
}

/** A snapshot id: positive and below 2^53, so it survives JSON and Avro `long` as a JavaScript number. */
export function newSnapshotId(): number {
  return randomInt(1, 2 ** 47) * 64 + randomInt(0, 64);
}

/**
 * The metadata after an append snapshot. Offsets are merged into the parent's so the current snapshot
 * alone always holds every partition's committed position.
 */
export function appendSnapshot(
  base: TableMetadata,
  options: {
    baseLocation: string | undefined;
    snapshotId: number;
    manifestList: string;
    addedFiles: number;
    addedRecords: number;
    addedBytes: number;
    kafkaOffsets: Record<string, string>;
    nowMs: number;
  },
): { metadata: TableMetadata; snapshot: Snapshot } {
  const parent = currentSnapshot(base);
  const sequenceNumber = base['last-sequence-number'] + 1;
  const total = (key: string, added: number) => String(Number(parent?.summary[key] ?? 0) + added);
  const snapshot: Snapshot = {
    'snapshot-id': options.snapshotId,
    ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
    'sequence-number': sequenceNumber,
    'timestamp-ms': options.nowMs,
    'manifest-list': options.manifestList,
    summary: {
      operation: 'append',
      'added-data-files': String(options.addedFiles),
      'added-records': String(options.addedRecords),
      'added-files-size': String(options.addedBytes),
      'total-data-files': total('total-data-files', options.addedFiles),
      'total-records': total('total-records', options.addedRecords),
      'total-files-size': total('total-files-size', options.addedBytes),
      'total-delete-files': '0',
      'total-position-deletes': '0',
      'total-equality-deletes': '0',
      [KAFKA_OFFSETS_PROPERTY]: JSON.stringify({ ...committedKafkaOffsets(base), ...options.kafkaOffsets }),
    },
    'schema-id': base['current-schema-id'],
  };
  const metadata: TableMetadata = {
    ...base,
    'last-sequence-number': sequenceNumber,
    'last-updated-ms': options.nowMs,
    'current-snapshot-id': snapshot['snapshot-id'],
    refs: { ...base.refs, main: { 'snapshot-id': snapshot['snapshot-id'], type: 'branch' } },
    snapshots: [...base.snapshots, snapshot],
    'snapshot-log': [
      ...base['snapshot-log'],
      { 'timestamp-ms': options.nowMs, 'snapshot-id': snapshot['snapshot-id'] },
    ],
    'metadata-log': options.baseLocation
      ? [
          ...base['metadata-log'],
          { 'timestamp-ms': base['last-updated-ms'], 'metadata-file': options.baseLocation },
        ]
      : base['metadata-log'],
  };
  return { metadata, snapshot };
}

/** The metadata with `schema` added and made current (a schema change is a new metadata file, no snapshot). */
export function withCurrentSchema(
  base: TableMetadata,
  options: { schema: IcebergSchema; lastColumnId: number; baseLocation: string | undefined; nowMs: number },
): TableMetadata {
  return {
    ...base,
    'last-updated-ms': options.nowMs,
    'last-column-id': Math.max(base['last-column-id'], options.lastColumnId),
    'current-schema-id': options.schema['schema-id'],
    schemas: [...base.schemas, options.schema],
    'metadata-log': options.baseLocation
      ? [
          ...base['metadata-log'],
          { 'timestamp-ms': base['last-updated-ms'], 'metadata-file': options.baseLocation },
        ]
      : base['metadata-log'],
  };
}
