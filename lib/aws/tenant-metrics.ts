/**
 * The CloudWatch metrics of a tenant, defined once for its dashboard and its alarms.
 * Lambda: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * MSK consumer lag: https://docs.aws.amazon.com/msk/latest/developerguide/consumer-lag.html
 * Firehose: https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { SinkFormat } from '../manifest/spec.ts';

const PERIOD = Duration.minutes(1);

/** The facts about one consumer its metrics are keyed by. */
export interface ConsumerMetricsSource {
  /** Consumer key in the manifest. */
  readonly key: string;
  readonly functionName: string;
  readonly groupId: string;
  readonly topic: string;
  /** Event-source mapping UUID (the `EventSourceMappingUUID` dimension). */
  readonly eventSourceMappingId: string;
}

/** The facts about one sink its metrics are keyed by. */
export interface SinkMetricsSource {
  readonly key: string;
  readonly streamName: string;
  readonly format: SinkFormat;
  /** Firehose buffering interval (BufferingHints.IntervalInSeconds). */
  readonly bufferIntervalSeconds: number;
}

export function lambdaMetric(functionName: string, metricName: string, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName,
    dimensionsMap: { FunctionName: functionName },
    statistic,
    period: PERIOD,
  });
}

/** Event-source mapping metrics (EventCount, ErrorCount, KafkaMetrics groups of MetricsConfig). */
export function eventSourceMetric(uuid: string, metricName: string, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName,
    dimensionsMap: { EventSourceMappingUUID: uuid },
    statistic,
    period: PERIOD,
  });
}

/** MSK consumer-lag metrics per group and topic (EstimatedMaxTimeLag, MaxOffsetLag, SumOffsetLag). */
export function consumerLagMetric(
  clusterName: string,
  consumer: ConsumerMetricsSource,
  metricName: 'EstimatedMaxTimeLag' | 'MaxOffsetLag' | 'SumOffsetLag',
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Kafka',
    metricName,
    dimensionsMap: { 'Cluster Name': clusterName, 'Consumer Group': consumer.groupId, Topic: consumer.topic },
    statistic: 'Maximum',
    period: PERIOD,
  });
}

/** Messages written to a topic, summed over brokers (needs PER_TOPIC_PER_BROKER monitoring). */
export function topicMessagesIn(
  clusterName: string,
  topic: string,
  label: string,
): cloudwatch.MathExpression {
  return topicRateSearch(clusterName, topic, 'MessagesInPerSec', label);
}

/** Bytes written to a topic per second, summed over brokers (needs PER_TOPIC_PER_BROKER monitoring). */
export function topicBytesIn(clusterName: string, topic: string, label: string): cloudwatch.MathExpression {
  return topicRateSearch(clusterName, topic, 'BytesInPerSec', label);
}

function topicRateSearch(
  clusterName: string,
  topic: string,
  metricName: 'MessagesInPerSec' | 'BytesInPerSec',
  label: string,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SUM(SEARCH('{AWS/Kafka,"Broker ID","Cluster Name",Topic} MetricName="${metricName}" "Cluster Name"="${clusterName}" Topic="${topic}"', 'Average', 60))`,
    label,
    period: PERIOD,
  });
}

/**
 * Messages written to a topic, as an expression an alarm can evaluate (alarms cannot use SEARCH): on MSK
 * Provisioned the per-broker metrics of brokers 1…N summed, each missing value counted as 0; on MSK Serverless
 * the topic's own metric. A math alarm takes at most 10 metrics.
 * https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html
 * https://docs.aws.amazon.com/msk/latest/developerguide/serverless-monitoring.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
 */
export function topicMessagesInForAlarm(
  clusterName: string,
  topic: string,
  cluster: { serverless: boolean; brokerNodes: number },
): cloudwatch.MathExpression {
  const metric = (dimensionsMap: Record<string, string>) =>
    new cloudwatch.Metric({
      namespace: 'AWS/Kafka',
      metricName: 'MessagesInPerSec',
      dimensionsMap: { 'Cluster Name': clusterName, Topic: topic, ...dimensionsMap },
      statistic: 'Sum',
      period: PERIOD,
    });
  if (!cluster.serverless && (cluster.brokerNodes < 1 || cluster.brokerNodes > 10))
    throw new Error(
      `topicMessagesInForAlarm: a math alarm sums at most 10 broker metrics, the cluster has ${cluster.brokerNodes} brokers`,
    );
  const metrics: Record<string, cloudwatch.IMetric> = cluster.serverless
    ? { m1: metric({}) }
    : Object.fromEntries(
        Array.from({ length: cluster.brokerNodes }, (_, i) => [
          `m${i + 1}`,
          metric({ 'Broker ID': String(i + 1) }),
        ]),
      );
  return new cloudwatch.MathExpression({
    expression: Object.keys(metrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics: metrics,
    label: `${topic} messages in`,
    period: PERIOD,
  });
}

/** API Gateway metrics of an HTTP API stage (Count, 4xx, 5xx, Latency). */
export function httpApiMetric(apiId: string, metricName: string, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensionsMap: { ApiId: apiId, Stage: '$default' },
    statistic,
    period: PERIOD,
  });
}

/**
 * Firehose metric names by destination. `delivered` is what a graph of successful delivery shows: for S3 the
 * success ratio (`DeliveryToS3.Success`, successful PUTs over all PUTs), for Iceberg the rows delivered —
 * `DeliveryToIceberg.Success` is a sum of commits, not a ratio, so it says nothing about failures.
 * https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-metric.html
 */
export function sinkMetricNames(format: SinkFormat): {
  delivered: { metric: string; statistic: string; label: string };
  /** Success ratio, S3 destinations only. */
  successRatio?: string;
  freshness: string;
  failed: string;
} {
  return format === 'iceberg'
    ? {
        delivered: {
          metric: 'DeliveryToIceberg.SuccessfulRowCount',
          statistic: 'Sum',
          label: 'rows delivered',
        },
        freshness: 'DeliveryToIceberg.DataFreshness',
        failed: 'DeliveryToIceberg.FailedRowCount',
      }
    : {
        delivered: { metric: 'DeliveryToS3.Success', statistic: 'Average', label: 'success ratio' },
        successRatio: 'DeliveryToS3.Success',
        freshness: 'DeliveryToS3.DataFreshness',
        // Parquet rows that do not fit the table; JSON sinks have no per-row failure, only delivery success.
        failed: format === 'parquet' ? 'FailedConversion.Records' : 'DeliveryToS3.ObjectCount',
      };
}

export function firehoseMetric(streamName: string, metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Firehose',
    metricName,
    dimensionsMap: { DeliveryStreamName: streamName },
    statistic,
    period: Duration.minutes(5),
  });
}
