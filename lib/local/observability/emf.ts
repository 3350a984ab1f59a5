/**
 * The handler SDK's own metrics, read from the CloudWatch Embedded Metric Format lines it prints (Powertools
 * Metrics, namespace `Stratus`, dimensions tenant and consumer; functions/sdk/observability.ts). On AWS,
 * CloudWatch Logs extracts them; locally the runtime hands each stdout line of a function here and the
 * values become `stratus_handler_*` counters.
 * EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { consumerGroupId } from '../../core/naming.ts';
import type { StratusMetrics } from './metrics.ts';

/** SDK metric name → the counter it adds to (the SDK emits one aggregated value per invocation). */
const COUNTERS = {
  RecordsIn: 'handlerRecordsIn',
  RecordsOut: 'handlerRecordsOut',
  RecordsFailed: 'handlerRecordsFailed',
  RecordsDeadLettered: 'handlerRecordsDeadLettered',
  RecordsDuplicate: 'handlerRecordsDuplicate',
  RecordsDropped: 'handlerRecordsDropped',
} as const satisfies Record<string, keyof StratusMetrics>;

interface EmfDocument {
  _aws?: { CloudWatchMetrics?: { Namespace?: string; Metrics?: { Name?: string }[] }[] };
  [key: string]: unknown;
}

/**
 * Returns a function that takes one output line of a handler and counts its EMF metrics; it returns false for
 * anything that is not a Stratus EMF document (ordinary log lines). `topicOf` maps a consumer group to its
 * topic label; unknown groups are ignored.
 */
export function emfReader(
  metrics: StratusMetrics,
  topicOf: (groupId: string) => string | undefined,
): (line: string) => boolean {
  return (line) => {
    // Cheap rejection first: most lines are ordinary logs.
    if (!line.includes('"_aws"')) return false;
    let document: EmfDocument;
    try {
      document = JSON.parse(line) as EmfDocument;
    } catch {
      return false;
    }
    const directives =
      document._aws?.CloudWatchMetrics?.filter((directive) => directive.Namespace === 'Stratus') ?? [];
    const { tenant, consumer } = document;
    if (directives.length === 0 || typeof tenant !== 'string' || typeof consumer !== 'string') return false;
    const groupId = consumer.includes('.') ? consumer : consumerGroupId(tenant, consumer);
    const topic = topicOf(groupId);
    if (topic === undefined) return false;
    const labels = { tenant, consumer: groupId, topic };
    for (const directive of directives) {
      for (const { Name } of directive.Metrics ?? []) {
        const counter =
          Name && Name in COUNTERS ? metrics[COUNTERS[Name as keyof typeof COUNTERS]] : undefined;
        const raw = Name ? document[Name] : undefined;
        // EMF allows an array of values for one metric in one document.
        const values = Array.isArray(raw) ? raw : [raw];
        for (const value of values)
          if (counter && typeof value === 'number' && value > 0) counter.inc(labels, value);
      }
    }
    return true;
  };
}
