/**
 * What one invocation of a handler did, in a form tests and `stratus invoke` read: the batch response, the
 * records it produced (decoded), its dead letters (envelopes, with the original value decoded), its log lines
 * and its EMF metrics (summed per name).
 */
import { type DlqEnvelope, parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { type MskBatchResponse, parseTopicPartitionKey } from '../../../lib/core/msk-event.ts';
import type { PublishedMessage } from './recording-publisher.ts';

export interface ProducedRecord {
  topic: string;
  /** UTF-8; null when the output has no key. */
  key: string | null;
  /** JSON-decoded. */
  value: unknown;
  headers: Record<string, string>;
}

export interface DeadLetter extends DlqEnvelope {
  /** The original record's value, decoded (JSON when it parses, else the text). */
  value: unknown;
}

/** One log line of the function: Powertools' JSON (level, message, keys), or `{ message }` for plain text. */
export interface LogLine {
  level?: string;
  message?: string;
  [key: string]: unknown;
}

export interface RecordCoordinates {
  topic: string;
  partition: number;
  offset: number;
}

export interface InvocationResult {
  /** The handler returned a response (false: it threw or timed out; see `error`). */
  ok: boolean;
  response?: MskBatchResponse;
  error?: { class: string; message: string; stack?: string };
  /** `response.batchItemFailures` as coordinates. */
  failures: RecordCoordinates[];
  /** Records produced to the output topic. */
  outputs: ProducedRecord[];
  /** Records written to the DLQ by the function itself (DECODE_ERROR, SCHEMA_VIOLATION). */
  deadLetters: DeadLetter[];
  logs: LogLine[];
  /** EMF metric values of the invocation, summed by name (RecordsIn, RecordsOut, your own...). */
  metrics: Record<string, number>;
}

export interface InvocationParts {
  ok: boolean;
  response?: unknown;
  error?: { class: string; message: string; stack?: string };
  published: PublishedMessage[];
  /** Everything the function printed, whole lines. */
  lines: string[];
  dlqTopic?: string;
}

export function invocationResult(parts: InvocationParts): InvocationResult {
  const logs: LogLine[] = [];
  const metrics: Record<string, number> = {};
  for (const line of parts.lines) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      logs.push({ message: line });
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      logs.push({ message: line });
      continue;
    }
    if (!addEmfMetrics(parsed as Record<string, unknown>, metrics)) logs.push(parsed as LogLine);
  }

  const outputs: ProducedRecord[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const message of parts.published) {
    if (message.topic === parts.dlqTopic) {
      const parsed = parseDlqEnvelope(message.value);
      if (!parsed.ok)
        throw new Error(`the function wrote a DLQ record that is not an envelope: ${parsed.message}`);
      const raw = parsed.envelope.record.value;
      deadLetters.push({
        ...parsed.envelope,
        value: raw === null ? null : decodeText(Buffer.from(raw, 'base64').toString('utf8')),
      });
    } else {
      outputs.push({
        topic: message.topic,
        key: message.key === null ? null : message.key.toString(),
        value: decodeText(message.value),
        headers: message.headers,
      });
    }
  }

  const response = parts.ok ? (parts.response as MskBatchResponse | undefined) : undefined;
  const failures = (response?.batchItemFailures ?? []).map(({ itemIdentifier }) => ({
    ...parseTopicPartitionKey(itemIdentifier.partition),
    offset: Number(itemIdentifier.offset),
  }));
  return { ok: parts.ok, response, error: parts.error, failures, outputs, deadLetters, logs, metrics };
}

function decodeText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Adds an EMF document's values (one number or an array of them per metric) to `into`; false when the line is
 * not EMF. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
function addEmfMetrics(document: Record<string, unknown>, into: Record<string, number>): boolean {
  const aws = document._aws as { CloudWatchMetrics?: { Metrics?: { Name?: string }[] }[] } | undefined;
  if (!aws?.CloudWatchMetrics) return false;
  for (const directive of aws.CloudWatchMetrics) {
    for (const { Name } of directive.Metrics ?? []) {
      if (!Name) continue;
      const raw = document[Name];
      for (const value of Array.isArray(raw) ? raw : [raw])
        if (typeof value === 'number') into[Name] = (into[Name] ?? 0) + value;
    }
  }
  return true;
}
