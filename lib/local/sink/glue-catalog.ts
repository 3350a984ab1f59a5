/**
 * Iceberg tables in the Glue Data Catalog with their files in S3, the way Firehose and Athena use them:
 * a Glue table with parameters `table_type=ICEBERG` and `metadata_location` (the current metadata file).
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-iceberg.html
 *
 * Commit protocol: the new metadata file is written under a fresh name, then UpdateTable switches
 * `metadata_location` to it and records the old one as `previous_metadata_location`. Glue rejects the update
 * when `VersionId` no longer matches the version read (optimistic concurrency, as Iceberg's GlueCatalog
 * does); moto 5.2 ignores `VersionId`, so against moto a concurrent writer is caught only by the
 * re-read of `metadata_location` just before the update (a small race window remains — one sink per table).
 */

import { randomUUID } from 'node:crypto';
import {
  AlreadyExistsException,
  CreateDatabaseCommand,
  CreateTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  type GlueClient,
  type TableInput,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { icebergTablePrefix } from '../../core/naming.ts';
import { glueType } from '../../core/table-columns.ts';
import {
  CommitConflictError,
  type IcebergCatalog,
  type LoadedTable,
  metadataFileName,
  type TableIdentity,
} from './catalog.ts';
import { S3FileIO } from './file-io.ts';
import type { TableMetadata } from './table-metadata.ts';

export interface GlueCatalogOptions {
  glue: GlueClient;
  s3: S3Client;
  /** Bucket of new tables' files (`lakehouseBucketName()` from lib/core/naming.ts). */
  bucket: string;
}

export class GlueCatalog implements IcebergCatalog {
  readonly io: S3FileIO;
  readonly kind = 'glue';
  private readonly glue: GlueClient;

  constructor(private readonly options: GlueCatalogOptions) {
    this.glue = options.glue;
    this.io = new S3FileIO(options.s3);
  }

  /** Same place as the CDK LakehouseSink's table: `s3://<bucket>/<tenant>/iceberg/<table>`. */
  tableLocation({ tenant, table }: TableIdentity): string {
    return `s3://${this.options.bucket}/${icebergTablePrefix(tenant, table)}`;
  }

  async loadTable(database: string, table: string): Promise<LoadedTable | undefined> {
    const current = await this.current(database, table);
    if (!current?.metadataLocation) return undefined;
    const bytes = await this.io.read(current.metadataLocation);
    if (!bytes) throw new Error(`${database}.${table}: metadata file ${current.metadataLocation} is missing`);
    return {
      metadata: JSON.parse(Buffer.from(bytes).toString('utf8')) as TableMetadata,
      metadataLocation: current.metadataLocation,
    };
  }

  private async current(
    database: string,
    table: string,
  ): Promise<{ metadataLocation?: string; versionId?: string } | undefined> {
    try {
      const { Table } = await this.glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
      return { metadataLocation: Table?.Parameters?.metadata_location, versionId: Table?.VersionId };
    } catch (error) {
      if (error instanceof EntityNotFoundException) return undefined;
      throw error;
    }
  }

  async createTable(database: string, table: string, metadata: TableMetadata): Promise<LoadedTable> {
    await this.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } })).catch((error) => {
      if (!(error instanceof AlreadyExistsException)) throw error;
    });
    const metadataLocation = await this.writeMetadata(metadata, 0);
    try {
      await this.glue.send(
        new CreateTableCommand({
          DatabaseName: database,
          TableInput: tableInput(table, metadata, metadataLocation),
        }),
      );
      return { metadata, metadataLocation };
    } catch (error) {
      if (!(error instanceof AlreadyExistsException)) throw error;
      const existing = await this.loadTable(database, table);
      if (!existing) throw error;
      return existing;
    }
  }

  async commitTable(
    database: string,
    table: string,
    base: LoadedTable,
    metadata: TableMetadata,
  ): Promise<LoadedTable> {
    const version = Number(/\/(\d+)-[^/]*\.metadata\.json$/.exec(base.metadataLocation)?.[1] ?? 0) + 1;
    const metadataLocation = await this.writeMetadata(metadata, version);
    const current = await this.current(database, table);
    if (current?.metadataLocation !== base.metadataLocation)
      throw new CommitConflictError(
        `${database}.${table}: metadata_location moved from ${base.metadataLocation} to ${current?.metadataLocation}`,
      );
    try {
      await this.glue.send(
        new UpdateTableCommand({
          DatabaseName: database,
          TableInput: tableInput(table, metadata, metadataLocation, base.metadataLocation),
          VersionId: current.versionId,
        }),
      );
    } catch (error) {
      // Glue's answer to a stale VersionId.
      if ((error as { name?: string }).name === 'ConcurrentModificationException')
        throw new CommitConflictError(`${database}.${table}: ${(error as Error).message}`);
      throw error;
    }
    return { metadata, metadataLocation };
  }

  private async writeMetadata(metadata: TableMetadata, version: number): Promise<string> {
    const uri = `${metadata.location}/metadata/${metadataFileName(version, randomUUID())}`;
    await this.io.write(uri, JSON.stringify(metadata), 'application/json');
    return uri;
  }
}

function tableInput(
  table: string,
  metadata: TableMetadata,
  metadataLocation: string,
  previous?: string,
): TableInput {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;
  return {
    Name: table,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      table_type: 'ICEBERG',
      metadata_location: metadataLocation,
      ...(previous ? { previous_metadata_location: previous } : {}),
    },
    StorageDescriptor: {
      Location: metadata.location,
      // Informational columns for Glue/Athena consoles; Iceberg readers use the metadata file's schema.
      Columns: schema.fields.map((f) => ({ Name: f.name, Type: glueType(f.type) })),
    },
  };
}
