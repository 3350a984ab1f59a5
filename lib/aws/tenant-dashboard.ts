import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  type ConsumerMetricsSource,
  consumerLagMetric,
  eventSourceMetric,
  firehoseMetric,
  httpApiMetric,
  lambdaMetric,
  type SinkMetricsSource,
  sinkMetricNames,
  topicBytesIn,
  topicMessagesIn,
} from './tenant-metrics.ts';

/** Properties of a {@link TenantDashboard}. */
export interface TenantDashboardProps {
  /** Tenant name. */
  readonly tenant: string;
  /** MSK cluster name (the `Cluster Name` metric dimension). */
  readonly clusterName: string;
  /** The tenant's consumers. */
  readonly consumers: ConsumerMetricsSource[];
  /** Full names of the topics consumers write (their outputs). */
  readonly outputTopics: string[];
  /** Full name of the tenant's DLQ topic. */
  readonly dlqTopic: string;
  /**
   * The tenant's sinks.
   * @default - none
   */
  readonly sinks?: SinkMetricsSource[];
  /**
   * Source topics (full names) written by declared producers or the ingest endpoint, with their writers: a
   * records-in and a bytes-in graph per topic (MSK's MessagesInPerSec and BytesInPerSec).
   * @default - none
   */
  readonly sourceTopics?: Array<{ topic: string; writers: string[] }>;
  /**
   * Id of the tenant's HTTP ingest API: requests, client and server errors, latency.
   * @default - no ingest endpoint
   */
  readonly ingestApiId?: string;
  /**
   * Dashboard name.
   * @default 'Stratus-<tenant>'
   */
  readonly dashboardName?: string;
}

/**
 * One CloudWatch dashboard per tenant: records in and out, errors, duration and throttles per consumer,
 * consumer lag (OffsetLag and EstimatedMaxTimeLag) per group, DLQ growth, and Firehose delivery (S3 success ratio, Iceberg rows),
 * freshness and failed rows per sink.
 */
export class TenantDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: TenantDashboardProps) {
    super(scope, id);
    if (!props.tenant) throw new Error('TenantDashboard: tenant must not be empty');
    if (!props.dlqTopic.startsWith(`${props.tenant}.`))
      throw new Error(
        `TenantDashboard ${props.tenant}: dlqTopic "${props.dlqTopic}" is not a topic of the tenant`,
      );
    const { consumers, clusterName } = props;
    const sinks = props.sinks ?? [];
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName ?? `Stratus-${props.tenant}`,
    });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 12, height: 6 });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Stratus tenant \`${props.tenant}\`\nProducers: ${[...new Set((props.sourceTopics ?? []).flatMap((s) => s.writers))].map((w) => `\`${w}\``).join(', ') || 'none'} · consumers: ${consumers.map((c) => `\`${c.groupId}\``).join(', ') || 'none'} · sinks: ${sinks.map((s) => `\`${s.streamName}\``).join(', ') || 'none'}`,
        width: 24,
        height: 2,
      }),
    );
    const sources = props.sourceTopics ?? [];
    if (sources.length > 0)
      this.dashboard.addWidgets(
        graph(
          'Producers: records in per source topic (MessagesInPerSec)',
          sources.map((s) => topicMessagesIn(clusterName, s.topic, `${s.topic} ← ${s.writers.join(', ')}`)),
        ),
        graph(
          'Producers: bytes in per source topic (BytesInPerSec)',
          sources.map((s) => topicBytesIn(clusterName, s.topic, s.topic)),
        ),
      );
    if (props.ingestApiId) {
      const api = props.ingestApiId;
      this.dashboard.addWidgets(
        graph(
          'HTTP ingest: requests and errors',
          [httpApiMetric(api, 'Count').with({ label: 'requests' })],
          [
            httpApiMetric(api, '4xx').with({ label: '4xx (refused, throttled, unauthorized)' }),
            httpApiMetric(api, '5xx').with({ label: '5xx (broker unavailable)' }),
          ],
        ),
        graph('HTTP ingest: latency (p99, ms)', [
          httpApiMetric(api, 'Latency', 'p99').with({ label: 'latency' }),
        ]),
      );
    }
    if (consumers.length > 0) {
      this.dashboard.addWidgets(
        graph(
          'Records in (polled by the event-source mappings)',
          consumers.map((c) =>
            eventSourceMetric(c.eventSourceMappingId, 'PolledEventCount').with({ label: c.key }),
          ),
        ),
        graph(
          'Records out (messages into output topics)',
          props.outputTopics.map((topic) => topicMessagesIn(clusterName, topic, topic)),
        ),
      );
      this.dashboard.addWidgets(
        graph(
          'Errors',
          consumers.map((c) => lambdaMetric(c.functionName, 'Errors').with({ label: c.key })),
          consumers.map((c) =>
            eventSourceMetric(c.eventSourceMappingId, 'FailedInvokeEventCount').with({
              label: `${c.key} failed events`,
            }),
          ),
        ),
        graph(
          'Duration (p99) and throttles',
          consumers.map((c) => lambdaMetric(c.functionName, 'Duration', 'p99').with({ label: c.key })),
          consumers.map((c) =>
            lambdaMetric(c.functionName, 'Throttles').with({ label: `${c.key} throttles` }),
          ),
        ),
      );
      this.dashboard.addWidgets(
        graph(
          'OffsetLag (records) per consumer group',
          consumers.map((c) =>
            lambdaMetric(c.functionName, 'OffsetLag', 'Maximum').with({ label: c.groupId }),
          ),
          consumers.map((c) =>
            consumerLagMetric(clusterName, c, 'SumOffsetLag').with({ label: `${c.groupId} (MSK)` }),
          ),
        ),
        graph(
          'EstimatedMaxTimeLag (seconds) per consumer group',
          consumers.map((c) =>
            consumerLagMetric(clusterName, c, 'EstimatedMaxTimeLag').with({ label: c.groupId }),
          ),
        ),
      );
      this.dashboard.addWidgets(
        graph(
          'DLQ growth',
          [topicMessagesIn(clusterName, props.dlqTopic, `${props.dlqTopic} messages in/s`)],
          consumers.map((c) =>
            eventSourceMetric(c.eventSourceMappingId, 'OnFailureDestinationDeliveredEventCount').with({
              label: `${c.key} → DLQ`,
            }),
          ),
        ),
      );
    }
    for (const sink of sinks) {
      const names = sinkMetricNames(sink.format);
      this.dashboard.addWidgets(
        graph(
          `Sink ${sink.key}: delivery and failed rows`,
          [
            firehoseMetric(sink.streamName, names.delivered.metric, names.delivered.statistic).with({
              label: names.delivered.label,
            }),
          ],
          [firehoseMetric(sink.streamName, names.failed, 'Sum').with({ label: names.failed })],
        ),
        graph(`Sink ${sink.key}: data freshness (s)`, [
          firehoseMetric(sink.streamName, names.freshness, 'Maximum').with({ label: 'oldest record age' }),
        ]),
      );
    }
  }
}
