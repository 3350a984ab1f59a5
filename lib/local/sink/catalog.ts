/**
 * Where Iceberg tables are registered and how a new metadata file becomes current. A commit names the
 * metadata file it was based on; the catalog switches atomically from that file to the new one or fails
 * with {@link CommitConflictError} (spec, "Commit Conflict Resolution and Retry").
 */
import type { FileIO } from './file-io.ts';
import type { TableMetadata } from './table-metadata.ts';

export interface LoadedTable {
  metadata: TableMetadata;
  /** URI of the current metadata file. */
  metadataLocation: string;
}

/** A sink's table: the tenant owns it, the Glue database and table name it. */
export interface TableIdentity {
  tenant: string;
  database: string;
  table: string;
}

export interface IcebergCatalog {
  /** Reads and writes the table's files. */
  readonly io: FileIO;
  /** Catalog kind, for logs and stats: `glue` or `directory`. */
  readonly kind: string;
  /** Base URI of a new table's files (no trailing slash). */
  tableLocation(table: TableIdentity): string;
  loadTable(database: string, table: string): Promise<LoadedTable | undefined>;
  /** Registers a new table whose first metadata file is `metadata`; a table created meanwhile wins. */
  createTable(database: string, table: string, metadata: TableMetadata): Promise<LoadedTable>;
  /** Makes `metadata` current if `base` still is; throws {@link CommitConflictError} otherwise. */
  commitTable(
    database: string,
    table: string,
    base: LoadedTable,
    metadata: TableMetadata,
  ): Promise<LoadedTable>;
}

/** Another writer committed first: reload and retry. */
export class CommitConflictError extends Error {}

/** `<location>/metadata/<version, 5 digits>-<uuid>.metadata.json`, the layout Iceberg's Java writers use. */
export function metadataFileName(version: number, uuid: string): string {
  return `${String(version).padStart(5, '0')}-${uuid}.metadata.json`;
}
