/**
 * A catalog in a local directory (a "warehouse"), laid out like Iceberg's Hadoop catalog so pyiceberg's
 * StaticTable reads a table straight from its directory: `<warehouse>/<database>/<table>/metadata/
 * v<N>.metadata.json` plus `version-hint.text`.
 * Commit protocol: the new metadata is written to a temporary file and hard-linked to `v<N+1>.metadata.json`;
 * link() fails when that name exists, so exactly one of two racing writers wins and the file appears whole.
 * That link is the commit. version-hint.text is then replaced by rename; it is only a hint, and loading
 * probes past it, so a crash between the two steps loses nothing.
 */
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CommitConflictError, type IcebergCatalog, type LoadedTable, type TableIdentity } from './catalog.ts';
import { fileUri, LocalFileIO } from './file-io.ts';
import type { TableMetadata } from './table-metadata.ts';

export class DirectoryCatalog implements IcebergCatalog {
  readonly io = new LocalFileIO();
  readonly kind = 'directory';

  /** @param warehouse directory holding `<database>/<table>/` */
  constructor(readonly warehouse: string) {}

  tableLocation({ database, table }: TableIdentity): string {
    return fileUri(path.join(this.warehouse, database, table));
  }

  private metadataDir(database: string, table: string): string {
    return path.join(this.warehouse, database, table, 'metadata');
  }

  async loadTable(database: string, table: string): Promise<LoadedTable | undefined> {
    const dir = this.metadataDir(database, table);
    let version = Number(await readFile(path.join(dir, 'version-hint.text'), 'utf8').catch(() => '0'));
    let found: LoadedTable | undefined;
    // Probe upwards from the hint, as the Hadoop catalog does: the hint may lag the last commit.
    for (;;) {
      const candidate = version === 0 ? undefined : await this.read(dir, version);
      const next = await this.read(dir, version + 1);
      if (!next) {
        found = candidate;
        break;
      }
      version++;
      found = next;
    }
    return found;
  }

  private async read(dir: string, version: number): Promise<LoadedTable | undefined> {
    const file = path.join(dir, `v${version}.metadata.json`);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    return text === undefined
      ? undefined
      : { metadata: JSON.parse(text) as TableMetadata, metadataLocation: fileUri(file) };
  }

  async createTable(database: string, table: string, metadata: TableMetadata): Promise<LoadedTable> {
    try {
      return await this.publish(database, table, 1, metadata);
    } catch (error) {
      if (!(error instanceof CommitConflictError)) throw error;
      return (await this.loadTable(database, table))!;
    }
  }

  async commitTable(
    database: string,
    table: string,
    base: LoadedTable,
    metadata: TableMetadata,
  ): Promise<LoadedTable> {
    const baseVersion = Number(/\/v(\d+)\.metadata\.json$/.exec(base.metadataLocation)?.[1]);
    if (!Number.isInteger(baseVersion))
      throw new Error(`not a ${this.kind} catalog metadata file: ${base.metadataLocation}`);
    return this.publish(database, table, baseVersion + 1, metadata);
  }

  private async publish(
    database: string,
    table: string,
    version: number,
    metadata: TableMetadata,
  ): Promise<LoadedTable> {
    const dir = this.metadataDir(database, table);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `v${version}.metadata.json`);
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify(metadata));
    try {
      await link(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new CommitConflictError(
          `${database}.${table}: version ${version} was committed by another writer`,
        );
      throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
    const hint = path.join(dir, `version-hint.text.${process.pid}.tmp`);
    await writeFile(hint, String(version));
    await rename(hint, path.join(dir, 'version-hint.text'));
    return { metadata, metadataLocation: fileUri(file) };
  }
}
