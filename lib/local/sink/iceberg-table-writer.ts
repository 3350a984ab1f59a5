/**
 * Appends batches of rows to one Iceberg v2 table: Parquet data files (one per partition), one manifest,
 * a manifest list carrying the parent's manifests, and new table metadata made current through the
 * catalog's atomic commit. A batch's Kafka offsets ride in the snapshot summary, so the table itself says
 * which records it holds; a crash before the commit leaves only unreferenced files (spec: "Tables do not
 * require … files to be listed" — orphans are invisible to readers).
 * Spec, "Overview" → "Optimistic Concurrency": https://iceberg.apache.org/spec/#optimistic-concurrency
 */
import { randomUUID } from 'node:crypto';
import type { PartitionFieldSpec } from '../../manifest/spec.ts';
import { CommitConflictError, type IcebergCatalog, type LoadedTable, type TableIdentity } from './catalog.ts';
import type { IcebergSchema } from './iceberg-schema.ts';
import {
  type DataFileEntry,
  type ManifestListEntry,
  readManifestList,
  writeManifest,
  writeManifestList,
} from './manifest-files.ts';
import { type ParquetFileOptions, writeParquet } from './parquet-file.ts';
import {
  type BoundPartitionField,
  bindPartitionSpec,
  type PartitionSpec,
  partitionPath,
  partitionSpec,
  partitionTuple,
} from './partition-spec.ts';
import type { Row } from './row-values.ts';
import { evolveSchema } from './schema-evolution.ts';
import {
  appendSnapshot,
  committedKafkaOffsets,
  currentSnapshot,
  newSnapshotId,
  newTableMetadata,
  type Snapshot,
  withCurrentSchema,
} from './table-metadata.ts';

export interface IcebergTableWriterOptions {
  catalog: IcebergCatalog;
  table: TableIdentity;
  /**
   * The topic's schema as a table schema: a new table is created with it; an existing table evolves towards it
   * where Iceberg allows (schema-evolution.ts).
   */
  schema: IcebergSchema;
  /** Each schema change made (or refused) when the table is opened, one line each. */
  onSchemaChange?: (line: string) => void;
  partitionBy: PartitionFieldSpec[];
  /**
   * Milliseconds since the epoch.
   * @default Date.now
   */
  clock?: () => number;
  parquet?: ParquetFileOptions;
  /**
   * Commit attempts when another writer commits first.
   * @default 4
   */
  commitAttempts?: number;
  /** Called between steps of a commit; tests use it to crash at a chosen point. */
  onPhase?: (phase: 'data-written' | 'table-committed') => void | Promise<void>;
}

export interface AppendResult {
  snapshot: Snapshot;
  dataFiles: number;
  rows: number;
  bytes: number;
}

/**
 * An existing table follows its topic's schema (lib/local/sink/schema-evolution.ts): added columns, columns made
 * optional, promotions. The change is its own commit, before any row is written with the new schema.
 */
async function evolveTable(
  options: IcebergTableWriterOptions,
  loaded: LoadedTable,
  nowMs: number,
): Promise<LoadedTable> {
  const { metadata } = loaded;
  const current = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;
  const evolution = evolveSchema(current, options.schema, metadata['last-column-id']);
  if (!evolution) return loaded;
  for (const line of evolution.refused) options.onSchemaChange?.(`not evolved: ${line}`);
  if (evolution.changes.length === 0) return loaded;
  const next = withCurrentSchema(metadata, {
    schema: evolution.schema,
    lastColumnId: evolution.lastColumnId,
    baseLocation: loaded.metadataLocation,
    nowMs,
  });
  const committed = await options.catalog.commitTable(
    options.table.database,
    options.table.table,
    loaded,
    next,
  );
  for (const line of evolution.changes) options.onSchemaChange?.(line);
  return committed;
}

export class IcebergTableWriter {
  private constructor(
    private readonly options: IcebergTableWriterOptions,
    private table: LoadedTable,
    private readonly spec: PartitionSpec,
    private readonly bound: BoundPartitionField[],
  ) {}

  /** Loads the table, creating it (and its database) with the schema and partition spec when missing. */
  static async open(options: IcebergTableWriterOptions): Promise<IcebergTableWriter> {
    const { catalog, table } = options;
    const clock = options.clock ?? Date.now;
    let loaded = await catalog.loadTable(table.database, table.table);
    if (!loaded) {
      const metadata = newTableMetadata({
        location: catalog.tableLocation(table),
        schema: options.schema,
        spec: partitionSpec(options.schema, options.partitionBy),
        properties: { 'stratus.tenant': table.tenant },
        nowMs: clock(),
      });
      loaded = await catalog.createTable(table.database, table.table, metadata);
    }
    loaded = await evolveTable(options, loaded, clock());
    const metadata = loaded.metadata;
    const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;
    const spec = metadata['partition-specs'].find((s) => s['spec-id'] === metadata['default-spec-id'])!;
    return new IcebergTableWriter(options, loaded, spec, bindPartitionSpec(schema, spec));
  }

  /** The table's current schema. */
  get schema(): IcebergSchema {
    const m = this.table.metadata;
    return m.schemas.find((s) => s['schema-id'] === m['current-schema-id'])!;
  }

  get metadataLocation(): string {
    return this.table.metadataLocation;
  }

  /** The table's current metadata and the IO its files are read with. */
  get current(): { metadata: LoadedTable['metadata']; io: IcebergCatalog['io'] } {
    return { metadata: this.table.metadata, io: this.options.catalog.io };
  }

  /** Next offset per `<topic>-<partition>` that the current snapshot includes. */
  committedOffsets(): Record<string, string> {
    return committedKafkaOffsets(this.table.metadata);
  }

  /**
   * Appends rows in one snapshot whose summary records `kafkaOffsets` (merged with the parent's).
   * Returns once the commit is durable; throws when it is not (nothing of the batch is then visible).
   */
  async append(rows: Row[], kafkaOffsets: Record<string, string>): Promise<AppendResult> {
    const clock = this.options.clock ?? Date.now;
    const location = this.table.metadata.location;
    const io = this.options.catalog.io;
    const snapshotId = newSnapshotId();
    const commitId = randomUUID();

    // One data file per partition tuple (spec: a data file's rows all belong to one partition). Rows are
    // grouped by the tuple's raw values; the directory name is built once per group.
    const groups = new Map<string, { tuple: DataFileEntry['partition']; rows: Row[] }>();
    for (const row of rows) {
      const tuple = partitionTuple(this.bound, row);
      // '\u0001' stands for null so a null never groups with the string "null" or "".
      const key =
        tuple.length === 1
          ? tuple[0] === null
            ? '\u0001'
            : String(tuple[0])
          : tuple.map((v) => (v === null ? '\u0001' : String(v))).join('\u0000');
      let group = groups.get(key);
      if (!group) {
        group = { tuple, rows: [] };
        groups.set(key, group);
      }
      group.rows.push(row);
    }
    const files = await Promise.all(
      [...groups.values()].map(async (group, index): Promise<DataFileEntry> => {
        const file = writeParquet(this.schema, group.rows, this.options.parquet);
        const partition = partitionPath(this.bound, group.tuple);
        const dir = partition ? `${location}/data/${partition}` : `${location}/data`;
        const path = `${dir}/${String(index).padStart(5, '0')}-${commitId}.parquet`;
        await io.write(path, file.bytes, 'application/vnd.apache.parquet');
        return {
          path,
          sizeBytes: file.bytes.byteLength,
          recordCount: file.recordCount,
          partition: group.tuple,
          valueCounts: file.metrics.valueCounts,
          nullValueCounts: file.metrics.nullValueCounts,
          lowerBounds: file.metrics.lowerBounds,
          upperBounds: file.metrics.upperBounds,
        };
      }),
    );
    const manifest = await writeManifest({
      schema: this.schema,
      spec: this.spec,
      bound: this.bound,
      snapshotId,
      files,
    });
    const manifestPath = `${location}/metadata/${commitId}-m0.avro`;
    await io.write(manifestPath, manifest.bytes);
    await this.options.onPhase?.('data-written');

    const addedBytes = files.reduce((sum, f) => sum + f.sizeBytes, 0);
    const attempts = this.options.commitAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      const base = this.table;
      const parent = currentSnapshot(base.metadata);
      const sequenceNumber = base.metadata['last-sequence-number'] + 1;
      const inherited = parent ? await this.readManifestListOf(parent) : [];
      const newManifest: ManifestListEntry = {
        path: manifestPath,
        lengthBytes: manifest.bytes.byteLength,
        specId: this.spec['spec-id'],
        addedSnapshotId: snapshotId,
        sequenceNumber,
        addedFilesCount: files.length,
        addedRowsCount: rows.length,
        partitions: manifest.partitions,
      };
      const manifestList = `${location}/metadata/snap-${snapshotId}-${attempt}-${commitId}.avro`;
      await io.write(
        manifestList,
        await writeManifestList({
          snapshotId,
          parentSnapshotId: parent?.['snapshot-id'] ?? null,
          sequenceNumber,
          inherited,
          manifests: [newManifest],
        }),
      );
      const { metadata, snapshot } = appendSnapshot(base.metadata, {
        baseLocation: base.metadataLocation,
        snapshotId,
        manifestList,
        addedFiles: files.length,
        addedRecords: rows.length,
        addedBytes,
        kafkaOffsets,
        nowMs: clock(),
      });
      try {
        this.table = await this.options.catalog.commitTable(
          this.options.table.database,
          this.options.table.table,
          base,
          metadata,
        );
      } catch (error) {
        if (!(error instanceof CommitConflictError) || attempt >= attempts) throw error;
        const reloaded = await this.options.catalog.loadTable(
          this.options.table.database,
          this.options.table.table,
        );
        if (!reloaded) throw error;
        this.table = reloaded;
        continue;
      }
      await this.options.onPhase?.('table-committed');
      return { snapshot, dataFiles: files.length, rows: rows.length, bytes: addedBytes };
    }
  }

  private async readManifestListOf(snapshot: Snapshot): Promise<unknown[]> {
    const bytes = await this.options.catalog.io.read(snapshot['manifest-list']);
    if (!bytes) throw new Error(`manifest list ${snapshot['manifest-list']} is missing`);
    return readManifestList(bytes);
  }
}
