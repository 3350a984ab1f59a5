/**
 * Amazon Data Firehose limits a sink must respect, shared by manifest validation, the CDK and the local sink.
 * BufferingHints: SizeInMBs 1–128, IntervalInSeconds 0–900
 * (https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html).
 */
import type { SinkFormat } from '../manifest/spec.ts';

const MIB = 1_048_576;

export const FIREHOSE_BUFFER_LIMITS = {
  minBytes: MIB,
  maxBytes: 128 * MIB,
  maxIntervalMs: 900_000,
  /**
   * With record format conversion (Parquet) or dynamic partitioning the buffer must be at least 64 MiB.
   * https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
   * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
   */
  minConvertedBytes: 64 * MIB,
} as const;

/** True when Firehose converts records to Parquet or partitions them dynamically for this sink. */
export function usesFormatConversionOrPartitioning(format: SinkFormat, partitionFields: number): boolean {
  return format === 'parquet' || (format === 'json' && partitionFields > 0);
}
