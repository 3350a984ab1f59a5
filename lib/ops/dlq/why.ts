/**
 * "Why did it fail?" for a dead letter. A record dead-lettered with RETRIES_EXHAUSTED or RECORD_EXPIRED carries
 * only "the function reported failed records": the event-source mapping never sees the handler's error, on AWS as
 * locally. The SDK logs each failing record at ERROR with its coordinates (topic, partition, offset) and the
 * consumer, so the handler's last error for the record is found in the function's logs: the local log file that
 * `stratus dev` writes, or the function's CloudWatch Logs group on AWS.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { DlqEnvelope, DlqReason } from '../../core/dlq-envelope.ts';
import { consumerFunctionName } from '../../core/naming.ts';

export interface HandlerError {
  /** When it was logged (ISO 8601). */
  at: string;
  class: string;
  message: string;
  /** The stack, one line each (readable in `dlq show`'s JSON). */
  stack: string[];
  /** The invocation that logged it. */
  requestId?: string;
  /** The log file, or the CloudWatch Logs group and stream, it was found in. */
  foundIn: string;
}

/** What the lookup found: the handler's last error for the record, or where it looked in vain, or why it did not look. */
export type FailureExplanation =
  | { kind: 'handler-error'; error: HandlerError }
  | { kind: 'not-found'; searched: string }
  | { kind: 'in-envelope'; note: string };

/** Reasons the on-failure destination writes after the function failed on the record. */
const MAPPING_REASONS: readonly DlqReason[] = ['RETRIES_EXHAUSTED', 'RECORD_EXPIRED'];

/** Where the function's logs are searched. */
export interface FunctionLogs {
  /** Every ERROR line for the record, oldest first is not required; the latest wins. */
  errorLines(
    envelope: DlqEnvelope,
  ): Promise<{ lines: Array<{ line: Record<string, unknown>; foundIn: string }>; searched: string }>;
}

export async function explainFailure(envelope: DlqEnvelope, logs: FunctionLogs): Promise<FailureExplanation> {
  if (!MAPPING_REASONS.includes(envelope.reason))
    return {
      kind: 'in-envelope',
      note: `${envelope.reason} is written by the function itself; its error above is the whole story`,
    };
  const { lines, searched } = await logs.errorLines(envelope);
  const matching = lines.filter(({ line }) => isFailureOf(line, envelope));
  const latest = matching
    .sort((a, b) => String(a.line.timestamp).localeCompare(String(b.line.timestamp)))
    .at(-1);
  if (!latest) return { kind: 'not-found', searched };
  const error = (latest.line.error ?? {}) as { name?: string; message?: string; stack?: string };
  return {
    kind: 'handler-error',
    error: {
      at: String(latest.line.timestamp ?? ''),
      class: error.name ?? 'Error',
      message: error.message ?? String(latest.line.message ?? ''),
      stack: (error.stack ?? '')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
      requestId: latest.line.function_request_id as string | undefined,
      foundIn: latest.foundIn,
    },
  };
}

/** An SDK "record failed" line for exactly this record and consumer (the SDK's keys, functions/sdk/batch-processor.ts). */
function isFailureOf(line: Record<string, unknown>, envelope: DlqEnvelope): boolean {
  return (
    line.level === 'ERROR' &&
    line.consumer === envelope.consumer &&
    line.topic === envelope.source.topic &&
    Number(line.partition) === envelope.source.partition &&
    Number(line.offset) === envelope.source.offset &&
    typeof line.error === 'object'
  );
}

/** The log file `stratus dev` writes its functions' output to (`<stateDir>/logs/functions.log`). */
export function localFunctionLogs(file: string, label: string = file): FunctionLogs {
  return {
    async errorLines(envelope) {
      const searched = label;
      if (!existsSync(file))
        return { lines: [], searched: `${label} (it does not exist; \`stratus dev\` writes it)` };
      const lines: Array<{ line: Record<string, unknown>; foundIn: string }> = [];
      // The file only grows: a cheap text test first, JSON only for candidates.
      const offsetText = `"offset":${envelope.source.offset}`;
      const reader = createInterface({
        input: createReadStream(file, 'utf8'),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      for await (const text of reader) {
        if (!text.includes(offsetText) || !text.includes('"ERROR"')) continue;
        try {
          lines.push({ line: JSON.parse(text) as Record<string, unknown>, foundIn: label });
        } catch {
          // A line cut by a crash: skip it.
        }
      }
      return { lines, searched };
    },
  };
}

/**
 * The function's CloudWatch Logs group (`/aws/lambda/<function>`, as lib/aws/kafka-consumer.ts creates it),
 * searched with FilterLogEvents and a JSON filter pattern on the record's coordinates
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html), from an hour before
 * the first failure to a minute after the dead-lettering. Every event returned is checked again here: emulators
 * (moto) ignore JSON filter patterns and return every event of the window.
 */
export function cloudWatchFunctionLogs(client: CloudWatchLogsClient, tenant: string): FunctionLogs {
  return {
    async errorLines(envelope) {
      const logGroupName = `/aws/lambda/${consumerFunctionName(tenant, envelope.consumer)}`;
      const { topic, partition, offset } = envelope.source;
      const filterPattern = `{ ($.level = "ERROR") && ($.topic = "${topic}") && ($.partition = ${partition}) && ($.offset = ${offset}) }`;
      const startTime = Date.parse(envelope.firstFailureAt) - 3_600_000;
      const endTime = Date.parse(envelope.deadLetteredAt) + 60_000;
      const lines: Array<{ line: Record<string, unknown>; foundIn: string }> = [];
      let nextToken: string | undefined;
      try {
        do {
          const page = await client.send(
            new FilterLogEventsCommand({ logGroupName, filterPattern, startTime, endTime, nextToken }),
          );
          for (const event of page.events ?? []) {
            try {
              lines.push({
                line: JSON.parse(event.message ?? '') as Record<string, unknown>,
                foundIn: `${logGroupName} ${event.logStreamName ?? ''}`.trim(),
              });
            } catch {
              // Not a JSON line (the Lambda runtime's START/END/REPORT lines).
            }
          }
          nextToken = page.nextToken;
        } while (nextToken);
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException')
          return { lines: [], searched: `${logGroupName} (the log group does not exist)` };
        throw error;
      }
      return {
        lines,
        searched: `${logGroupName} between ${new Date(startTime).toISOString()} and ${new Date(endTime).toISOString()}`,
      };
    },
  };
}
