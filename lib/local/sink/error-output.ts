/**
 * Records a sink cannot deliver (not JSON, not fitting the table schema) go to the bucket's error prefix, as
 * Firehose writes them: `<tenant>/errors/<sink>/<error-output-type>/yyyy/MM/dd/HH/<stream>-1-<time>-<uuid>`,
 * one JSON document per line with the base64 raw data — the prefix the CDK LakehouseSink configures.
 * https://docs.aws.amazon.com/firehose/latest/dev/retry.html (error output), .../s3-prefixes.html (error-output-type)
 */
import type { BufferedRecord } from './delivery-buffer.ts';
import type { FileIO } from './file-io.ts';
import { objectName, timePrefix } from './object-target.ts';

export interface FailedRecord {
  record: BufferedRecord;
  reason: string;
}

export interface ErrorOutputOptions {
  io: FileIO;
  /** `s3://<bucket>/` or a `file:///…/` directory. */
  baseUri: string;
  tenant: string;
  sinkKey: string;
  streamName: string;
  /** Firehose's `!{firehose:error-output-type}`: `processing-failed`, `format-conversion-failed`, … */
  errorOutputType: string;
}

/** Writes one error object for the failed records of a delivery; returns its URI. */
export async function writeErrorOutput(
  options: ErrorOutputOptions,
  failed: FailedRecord[],
  nowMs: number,
): Promise<string | undefined> {
  if (failed.length === 0) return undefined;
  const lines = failed.map(({ record, reason }) =>
    JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: record.arrivalMs,
      errorCode: options.errorOutputType,
      errorMessage: reason,
      attemptEndingTimestamp: nowMs,
      rawData: record.value?.toString('base64') ?? '',
      // Not in Firehose's document: where the record came from, to find it again in Kafka.
      kafka: { topic: record.topic, partition: record.partition, offset: record.offset },
    }),
  );
  const key = `${options.tenant}/errors/${options.sinkKey}/${options.errorOutputType}/${timePrefix(nowMs)}${objectName(options.streamName, nowMs)}`;
  const uri = `${options.baseUri}${key}`;
  await options.io.write(uri, `${lines.join('\n')}\n`, 'application/x-ndjson');
  return uri;
}
