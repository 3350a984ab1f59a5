/**
 * Delivery as objects in S3, laid out as Firehose lays them out:
 * key = `<prefix><time or partition prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`.
 * - Without partitionBy, the time prefix `yyyy/MM/dd/HH/` (UTC) of the oldest record's arrival follows the
 *   manifest prefix (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html,
 *   https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html: "the approximate arrival timestamp of
 *   the oldest record that's contained in the Amazon S3 object").
 * - With partitionBy, dynamic partitioning keys instead (`day=2026-11-24/`), the same keys and values the CDK
 *   LakehouseSink's jq query produces (https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html);
 *   one object per key combination.
 * - parquet: `.parquet` (record format conversion); json: GZIP-compressed, `.gz`, one JSON record per line.
 * Delivery is at least once, as Firehose's S3 destination is: a crash after the put and before the Kafka
 * commit writes the batch again under a new object name.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { partitionSegments } from '../../core/s3-partitioning.ts';
import type { PartitionFieldSpec } from '../../manifest/spec.ts';
import type { BufferedRecord } from './delivery-buffer.ts';
import { type DeliveryResult, type DeliveryTarget, decodeJson } from './delivery-target.ts';
import type { FileIO } from './file-io.ts';
import type { IcebergSchema } from './iceberg-schema.ts';
import { writeParquet } from './parquet-file.ts';
import { type Row, RowConversionError, toRow } from './row-values.ts';

export interface ObjectTargetOptions {
  io: FileIO;
  /** `s3://<bucket>/`, or a `file:///…/` directory when the lakehouse is a local warehouse. */
  baseUri: string;
  /** The manifest sink's prefix, ending in '/'. */
  prefix: string;
  /** Firehose stream name: `sinkStreamName(tenant, sink)`. */
  streamName: string;
  format: 'parquet' | 'json';
  partitionBy: PartitionFieldSpec[];
  /** Columns of Parquet objects; required for format parquet. */
  schema?: IcebergSchema;
}

/** Firehose's stream version: starts at 1 and grows with configuration changes, which local runs do not make. */
const STREAM_VERSION = 1;

export class ObjectTarget implements DeliveryTarget {
  readonly description: string;

  constructor(private readonly options: ObjectTargetOptions) {
    this.description = `${options.baseUri}${options.prefix}`;
    if (options.format === 'parquet' && !options.schema)
      throw new Error('a parquet sink needs the topic schema');
  }

  committedOffsets(): undefined {
    return undefined;
  }

  async deliver(
    records: BufferedRecord[],
    _nextOffsets: Record<string, string>,
    beforeCommit?: (failed: DeliveryResult['failed']) => Promise<void>,
  ): Promise<DeliveryResult> {
    const failed: DeliveryResult['failed'] = [];
    const groups = new Map<
      string,
      { values: Record<string, unknown>[]; rows: Row[]; oldestArrivalMs: number }
    >();
    for (const record of records) {
      const decoded = decodeJson(record);
      if ('reason' in decoded) {
        failed.push({ record, reason: decoded.reason });
        continue;
      }
      let row: Row | undefined;
      if (this.options.format === 'parquet') {
        try {
          row = toRow(this.options.schema!, decoded.value);
        } catch (error) {
          if (!(error instanceof RowConversionError)) throw error;
          failed.push({ record, reason: error.message });
          continue;
        }
      }
      const prefix =
        this.options.partitionBy.length > 0
          ? partitionSegments(this.options.partitionBy, decoded.value)
          : timePrefix(record.arrivalMs);
      const group = groups.get(prefix) ?? { values: [], rows: [], oldestArrivalMs: record.arrivalMs };
      group.values.push(decoded.value);
      if (row) group.rows.push(row);
      group.oldestArrivalMs = Math.min(group.oldestArrivalMs, record.arrivalMs);
      groups.set(prefix, group);
    }
    await beforeCommit?.(failed);
    let rows = 0;
    let bytes = 0;
    let commits = 0;
    for (const [prefix, group] of groups) {
      const body =
        this.options.format === 'json'
          ? gzipSync(group.values.map((v) => `${JSON.stringify(v)}\n`).join(''))
          : writeParquet(this.options.schema!, group.rows).bytes;
      const key = `${this.options.prefix}${prefix}${objectName(this.options.streamName, group.oldestArrivalMs)}${this.extension()}`;
      await this.options.io.write(`${this.options.baseUri}${key}`, body);
      rows += group.values.length;
      bytes += body.byteLength;
      commits++;
    }
    return { rows, bytes, failed, commits };
  }

  private extension(): string {
    return this.options.format === 'parquet' ? '.parquet' : '.gz';
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `yyyy/MM/dd/HH/` in UTC. */
export function timePrefix(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}/`;
}

/** `<stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>`. */
export function objectName(streamName: string, ms: number): string {
  const d = new Date(ms);
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
  return `${streamName}-${STREAM_VERSION}-${stamp}-${randomUUID()}`;
}
