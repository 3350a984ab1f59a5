/**
 * The lakehouse a local sink writes to: the Glue catalog and the lakehouse bucket of the AWS emulator (or
 * any AWS_ENDPOINT_URL), or a plain local directory when no AWS API is wanted.
 */

import path from 'node:path';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsClientConfig } from '../../core/aws-client-config.ts';
import { lakehouseBucketName } from '../../core/naming.ts';
import type { IcebergCatalog } from './catalog.ts';
import { DirectoryCatalog } from './directory-catalog.ts';
import { type FileIO, fileUri, LocalFileIO } from './file-io.ts';
import { GlueCatalog } from './glue-catalog.ts';

export interface Lakehouse {
  /** Iceberg tables. */
  catalog: IcebergCatalog;
  /** Objects of parquet/json sinks. */
  objects: { io: FileIO; baseUri: string };
  /** How pyiceberg (lib/local/sink/read_table.py) finds a table of this lakehouse. */
  readerRequest(database: string, table: string): Record<string, unknown>;
  /** How read_table.py finds the objects of a parquet/json sink. */
  objectsReaderRequest(prefix: string): Record<string, unknown>;
}

export type LakehouseOptions =
  | {
      kind: 'aws';
      /** From awsClientConfig(): the endpoint comes from configuration (AWS_ENDPOINT_URL or explicit). */
      aws: AwsClientConfig;
      /**
       * Lakehouse bucket.
       * @default lakehouseBucketName() — `stratus-lakehouse`
       */
      bucket?: string;
    }
  | {
      kind: 'directory';
      /** Warehouse directory: Iceberg tables under `<dir>/<database>/<table>`, objects under `<dir>/objects/`. */
      dir: string;
    };

export function createLakehouse(options: LakehouseOptions): Lakehouse {
  if (options.kind === 'directory') {
    const catalog = new DirectoryCatalog(options.dir);
    return {
      catalog,
      objects: { io: new LocalFileIO(), baseUri: `${fileUri(path.join(options.dir, 'objects'))}/` },
      readerRequest: (database, table) => ({
        catalog: 'directory',
        location: path.join(options.dir, database, table),
      }),
      objectsReaderRequest: (prefix) => ({
        catalog: 'objects',
        baseUri: `${fileUri(path.join(options.dir, 'objects'))}/`,
        prefix,
      }),
    };
  }
  const bucket = options.bucket ?? lakehouseBucketName();
  const catalog = new GlueCatalog({
    glue: new GlueClient(options.aws),
    s3: new S3Client(options.aws),
    bucket,
  });
  return {
    catalog,
    objects: { io: catalog.io, baseUri: `s3://${bucket}/` },
    readerRequest: (database, table) => ({
      catalog: 'glue',
      database,
      table,
      endpoint: options.aws.endpoint,
      region: options.aws.region,
    }),
    objectsReaderRequest: (prefix) => ({
      catalog: 'objects',
      baseUri: `s3://${bucket}/`,
      prefix,
      endpoint: options.aws.endpoint,
      region: options.aws.region,
    }),
  };
}
