/**
 * Firehose data transformation of an Iceberg sink: each record becomes what Firehose's Iceberg destination
 * accepts (timestamps in microseconds, dates in days, JSON text in string columns) by the conversion the local
 * sink runs too (lib/core/iceberg-record.ts), so the same records land, or fail, in both runtimes.
 * A stream with an MSK source passes and takes the record as `kafkaRecordValue` (base64); a record that is not
 * JSON or does not fit its columns is answered `ProcessingFailed`, which Firehose writes under the sink's error
 * prefix (`processing-failed/`), as the local sink does.
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html
 */
import {
  type ConvertedColumns,
  ICEBERG_COLUMNS_ENV,
  RecordConversionError,
  toIcebergRecord,
} from '../../lib/core/iceberg-record.ts';

/** The transformation event of a Firehose stream whose source is MSK. */
export interface MskFirehoseEvent {
  invocationId: string;
  deliveryStreamArn: string;
  sourceMSKArn?: string;
  region?: string;
  records: Array<{
    recordId: string;
    /** The Kafka record's value, base64. */
    kafkaRecordValue: string;
    approximateArrivalTimestamp?: number;
    mskRecordMetadata?: { offset?: string; partitionId?: string; approximateArrivalTimestamp?: number };
  }>;
}

export interface MskFirehoseResult {
  records: Array<{
    recordId: string;
    result: 'Ok' | 'Dropped' | 'ProcessingFailed';
    kafkaRecordValue: string;
  }>;
}

/** Converts every record of one invocation; never throws for a bad record. */
export function transformRecords(
  columns: ConvertedColumns,
  event: MskFirehoseEvent,
  log: (line: string) => void = console.log,
): MskFirehoseResult {
  return {
    records: event.records.map((record) => {
      try {
        const value: unknown = JSON.parse(Buffer.from(record.kafkaRecordValue, 'base64').toString('utf8'));
        if (!value || typeof value !== 'object' || Array.isArray(value))
          throw new RecordConversionError('not a JSON object');
        const converted = toIcebergRecord(columns, value as Record<string, unknown>);
        return {
          recordId: record.recordId,
          result: 'Ok',
          kafkaRecordValue: Buffer.from(JSON.stringify(converted)).toString('base64'),
        };
      } catch (error) {
        if (!(error instanceof RecordConversionError) && !(error instanceof SyntaxError)) throw error;
        const where = record.mskRecordMetadata
          ? ` (partition ${record.mskRecordMetadata.partitionId}, offset ${record.mskRecordMetadata.offset})`
          : '';
        log(JSON.stringify({ level: 'WARN', message: `record${where}: ${(error as Error).message}` }));
        return {
          recordId: record.recordId,
          result: 'ProcessingFailed',
          kafkaRecordValue: record.kafkaRecordValue,
        };
      }
    }),
  };
}

/** The columns the stream's table has, from the function's environment (set by lib/aws/lakehouse-sink.ts). */
export function columnsFromEnv(env: NodeJS.ProcessEnv = process.env): ConvertedColumns {
  const text = env[ICEBERG_COLUMNS_ENV];
  if (!text) throw new Error(`${ICEBERG_COLUMNS_ENV} is not set`);
  return JSON.parse(text) as ConvertedColumns;
}

export const handler = async (event: MskFirehoseEvent): Promise<MskFirehoseResult> =>
  transformRecords(columnsFromEnv(), event);
