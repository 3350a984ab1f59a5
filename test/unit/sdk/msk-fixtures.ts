/**
 * Events in the exact shape Lambda's Kafka event-source mapping delivers
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html): base64 key and value, headers as byte arrays,
 * records grouped by `<topic>-<partition>`. Shared by the SDK's unit and integration tests.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import {
  encodeHeaders,
  type MskEvent,
  type MskRecord,
  topicPartitionKey,
} from '../../../lib/core/msk-event.ts';

export interface RecordInput {
  topic: string;
  partition: number;
  offset: number;
  /** Serialised as JSON unless a string (sent as is) or a Buffer (raw bytes); `null` makes a tombstone. */
  value: unknown;
  key?: string | null;
  headers?: Record<string, string>;
  timestamp?: number;
}

export function mskRecord(input: RecordInput): MskRecord {
  const record: MskRecord = {
    topic: input.topic,
    partition: input.partition,
    offset: input.offset,
    timestamp: input.timestamp ?? Date.now() - 1000,
    timestampType: 'CREATE_TIME',
    headers: encodeHeaders(input.headers),
  };
  if (input.key !== undefined && input.key !== null) record.key = Buffer.from(input.key).toString('base64');
  if (input.value !== null) {
    const bytes = Buffer.isBuffer(input.value)
      ? input.value
      : Buffer.from(typeof input.value === 'string' ? input.value : JSON.stringify(input.value));
    record.value = bytes.toString('base64');
  }
  return record;
}

/** Groups records as Lambda does, partitions in first-seen order, offsets as given. */
export function mskEvent(records: RecordInput[]): MskEvent {
  const grouped: Record<string, MskRecord[]> = {};
  for (const input of records) {
    const key = topicPartitionKey(input.topic, input.partition);
    grouped[key] ??= [];
    grouped[key].push(mskRecord(input));
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/abcd-1234',
    bootstrapServers: 'b-1.stratus.kafka.eu-west-1.amazonaws.com:9098',
    records: grouped,
  };
}

/** A Lambda-like context, as the local runtime gives each invocation. */
export function lambdaContext(functionName = 'stratus-test-fn', remainingMs = 60_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * Captures the JSON lines Powertools Logger and Metrics write (stdout, and stderr for warnings and errors)
 * while `work` runs. They are the function's real output, as CloudWatch Logs would receive it.
 */
export async function captureOutput<T>(
  work: () => Promise<T>,
): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams)
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write;
  try {
    const result = await work();
    return { result, lines: parseJsonLines(chunks.join('')) };
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i]!;
    });
  }
}

function parseJsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
