/**
 * Evidence of a deliberate drop. A processor that returns nothing for a record (`undefined`, `null`, `[]`)
 * produces no output, and neither does a record the SDK skips as an idempotency duplicate or a tombstone it has
 * no handler for; without a trace, such a record is indistinguishable from one a broken handler lost. So once a
 * batch's outputs are acknowledged by Kafka, and before the batch is marked complete in the idempotency store,
 * the SDK prints one line per invocation naming every record it dropped and why. The line is a CloudWatch
 * Embedded Metric Format document: on AWS it lands in the function's log group (kept, searchable with Logs
 * Insights) and CloudWatch extracts the `RecordsDropped` metric from it; locally it lands in the handler log
 * file, where `stratus demo` reads it back. The list is an EMF property, not a dimension, so it costs no
 * metric cardinality, and offsets are written as ranges, so a processor that drops almost everything (an
 * anomaly detector) writes a short line per invocation, not a line per record.
 * EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * Across crashes: the line is written after the outputs and before the commit, like the outputs themselves, so
 * a record re-delivered after a crash may be reported twice (readers treat the evidence as a set), and a
 * committed record always has its line — unless the log itself is lost, which on AWS it is not.
 */

/** The metric and the property of the evidence document. */
export const DROP_EVIDENCE = {
  metric: 'RecordsDropped',
  property: 'stratusDropped',
  version: 1,
} as const;

/**
 * Why a record produced no output:
 * - `returned-nothing`: the processor returned `undefined`, `null` or an empty array for it;
 * - `duplicate`: its idempotency key was already processed (the outputs, if any, are the earlier record's);
 * - `tombstone`: its value was null and the processor has no tombstone handler.
 */
export type DropReason = 'returned-nothing' | 'duplicate' | 'tombstone';
export const DROP_REASONS: readonly DropReason[] = ['returned-nothing', 'duplicate', 'tombstone'];

export interface DroppedRecord {
  topic: string;
  partition: number;
  offset: number;
  reason: DropReason;
}

/** One entry of the property: consecutive offsets of one partition dropped for one reason. */
interface DroppedRun {
  topic: string;
  partition: number;
  /** `12-40,42`: comma-separated offsets and inclusive ranges. */
  offsets: string;
  reason: DropReason;
}

export interface DropEvidence {
  tenant: string;
  /** The consumer's key in the manifest (as the SDK's `consumer` dimension). */
  consumer: string;
  records: DroppedRecord[];
}

/**
 * The EMF document for one invocation's drops; dimensions as the SDK's other metrics (Powertools with service
 * = tenant and default dimensions tenant and consumer), so `RecordsDropped` sits beside `RecordsIn`.
 */
export function dropEvidenceDocument(input: {
  namespace: string;
  tenant: string;
  consumer: string;
  records: readonly DroppedRecord[];
  timestamp?: number;
}): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: input.timestamp ?? Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: input.namespace,
          Dimensions: [['service', 'tenant', 'consumer']],
          Metrics: [{ Name: DROP_EVIDENCE.metric, Unit: 'Count' }],
        },
      ],
    },
    service: input.tenant,
    tenant: input.tenant,
    consumer: input.consumer,
    [DROP_EVIDENCE.metric]: input.records.length,
    [DROP_EVIDENCE.property]: { version: DROP_EVIDENCE.version, records: runsOf(input.records) },
  };
}

/** The evidence in one log line, or undefined when the line is not a drop-evidence document. */
export function parseDropEvidence(line: string): DropEvidence | undefined {
  // Cheap rejection first: a log holds many lines and few of them are evidence.
  if (!line.includes(DROP_EVIDENCE.property)) return undefined;
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const evidence = document[DROP_EVIDENCE.property] as { version?: unknown; records?: unknown } | undefined;
  const { tenant, consumer } = document;
  if (
    evidence?.version !== DROP_EVIDENCE.version ||
    !Array.isArray(evidence.records) ||
    typeof tenant !== 'string' ||
    typeof consumer !== 'string'
  )
    return undefined;
  const records: DroppedRecord[] = [];
  for (const run of evidence.records as Partial<DroppedRun>[]) {
    if (
      typeof run.topic !== 'string' ||
      typeof run.partition !== 'number' ||
      typeof run.offsets !== 'string' ||
      !DROP_REASONS.includes(run.reason as DropReason)
    )
      return undefined;
    for (const offset of expandOffsets(run.offsets))
      records.push({ topic: run.topic, partition: run.partition, offset, reason: run.reason as DropReason });
  }
  return { tenant, consumer, records };
}

function runsOf(records: readonly DroppedRecord[]): DroppedRun[] {
  const groups = new Map<string, { run: Omit<DroppedRun, 'offsets'>; offsets: number[] }>();
  for (const { topic, partition, offset, reason } of records) {
    const key = `${reason}\u0000${topic}\u0000${partition}`;
    let group = groups.get(key);
    if (!group) {
      group = { run: { topic, partition, reason }, offsets: [] };
      groups.set(key, group);
    }
    group.offsets.push(offset);
  }
  return [...groups.values()].map(({ run, offsets }) => ({ ...run, offsets: compressOffsets(offsets) }));
}

/** [12, 13, 14, 20] → `12-14,20`. */
export function compressOffsets(offsets: readonly number[]): string {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** No invocation holds more records than this (Lambda's largest Kafka batch is 10,000). */
const MAX_RUN = 100_000;

/** `12-14,20` → [12, 13, 14, 20]; malformed parts, and ranges no invocation could hold, are skipped. */
export function expandOffsets(text: string): number[] {
  const offsets: number[] = [];
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) continue;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to - from > MAX_RUN) continue;
    for (let offset = from; offset <= to; offset++) offsets.push(offset);
  }
  return offsets;
}
