import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlertsSpec } from '../manifest/spec.ts';
import {
  type ConsumerMetricsSource,
  consumerLagMetric,
  eventSourceMetric,
  firehoseMetric,
  lambdaMetric,
  type SinkMetricsSource,
  sinkMetricNames,
} from './tenant-metrics.ts';

/** Properties of {@link LagAlarms}. */
export interface LagAlarmsProps {
  /** Tenant name; alarm names start with `stratus-<tenant>-`. */
  readonly tenant: string;
  /** The manifest's `alerts`; each threshold that is set becomes one alarm per consumer (or sink). */
  readonly alerts: AlertsSpec;
  /** MSK cluster name (the `Cluster Name` metric dimension). */
  readonly clusterName: string;
  /** ARN of the SNS topic every alarm notifies (on alarm and on recovery). */
  readonly alarmTopicArn: string;
  /** The tenant's consumers. */
  readonly consumers: ConsumerMetricsSource[];
  /**
   * The tenant's sinks; each gets a data-freshness alarm, and a failed-rows (Iceberg, Parquet) or a
   * success-ratio (S3) alarm.
   * @default - none
   */
  readonly sinks?: SinkMetricsSource[];
  /**
   * Consecutive one-minute periods over the threshold before an alarm fires.
   * @default 5
   */
  readonly evaluationPeriods?: number;
}

/**
 * The tenant's alarms, from the manifest's `alerts`, notifying the platform's SNS topic. Missing data is
 * treated per metric, deliberately:
 * - consumer lag (EstimatedMaxTimeLag, SumOffsetLag): IGNORE — MSK emits lag only for groups in STABLE or
 *   EMPTY state, so a lagging group that starts rebalancing stops reporting; it must not flip to OK then.
 * - error rate: NOT_BREACHING — no invocations means no errors.
 * - DLQ growth: NOT_BREACHING — the metric is only emitted when records are dead-lettered.
 * - sinks: NOT_BREACHING — failed rows and data freshness are emitted only while records flow, and an idle
 *   stream is healthy. Iceberg sinks alarm on failed rows and freshness only: DeliveryToIceberg.Success counts
 *   commits, so "below 1" would read every quiet period as a failure.
 */
const FRESHNESS_MARGIN_SECONDS = 300;

export class LagAlarms extends Construct {
  /** Every alarm created, in creation order. */
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: LagAlarmsProps) {
    super(scope, id);
    const { alerts } = props;
    const periods = props.evaluationPeriods ?? 5;
    if (!Number.isInteger(periods) || periods < 1)
      throw new Error(
        `LagAlarms ${props.tenant}: evaluationPeriods must be a positive integer, got ${periods}`,
      );
    for (const [name, value] of Object.entries(alerts))
      if (value !== undefined && (typeof value !== 'number' || value < 0))
        throw new Error(
          `LagAlarms ${props.tenant}: alerts.${name} must be a non-negative number, got ${value}`,
        );
    if (alerts.errorRatePercent !== undefined && alerts.errorRatePercent > 100)
      throw new Error(`LagAlarms ${props.tenant}: alerts.errorRatePercent must be at most 100`);

    const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
    const action = new actions.SnsAction(topic);
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, alarmProps);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    const name = (...parts: string[]) => ['stratus', props.tenant, ...parts].join('-');

    for (const c of props.consumers) {
      if (alerts.lagSeconds !== undefined) {
        add(`${c.key}TimeLag`, {
          alarmName: name(c.key, 'time-lag'),
          alarmDescription: `${c.groupId} is more than ${alerts.lagSeconds}s behind ${c.topic} (alerts.lag.maxSeconds)`,
          metric: consumerLagMetric(props.clusterName, c, 'EstimatedMaxTimeLag'),
          threshold: alerts.lagSeconds,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: periods,
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
        });
      }
      if (alerts.lagRecords !== undefined) {
        add(`${c.key}OffsetLag`, {
          alarmName: name(c.key, 'offset-lag'),
          alarmDescription: `${c.groupId} is more than ${alerts.lagRecords} records behind ${c.topic} (alerts.lag.maxRecords)`,
          metric: consumerLagMetric(props.clusterName, c, 'SumOffsetLag'),
          threshold: alerts.lagRecords,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: periods,
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
        });
      }
      if (alerts.errorRatePercent !== undefined) {
        add(`${c.key}ErrorRate`, {
          alarmName: name(c.key, 'error-rate'),
          alarmDescription: `more than ${alerts.errorRatePercent}% of ${c.functionName}'s invocations fail (alerts.errors.ratePercent)`,
          metric: new cloudwatch.MathExpression({
            expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
            usingMetrics: {
              errors: lambdaMetric(c.functionName, 'Errors'),
              invocations: lambdaMetric(c.functionName, 'Invocations'),
            },
            period: Duration.minutes(1),
            label: 'error rate %',
          }),
          threshold: alerts.errorRatePercent,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: periods,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
      if (alerts.dlqRecords !== undefined) {
        add(`${c.key}DlqGrowth`, {
          alarmName: name(c.key, 'dlq-growth'),
          alarmDescription: `more than ${alerts.dlqRecords} records of ${c.groupId} reached the DLQ within 5 minutes (alerts.dlq.maxRecords)`,
          metric: eventSourceMetric(c.eventSourceMappingId, 'OnFailureDestinationDeliveredEventCount').with({
            period: Duration.minutes(5),
          }),
          threshold: alerts.dlqRecords,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
    }
    for (const sink of props.sinks ?? []) {
      const names = sinkMetricNames(sink.format);
      // Firehose's advice: alarm when DataFreshness exceeds the buffering limit. A healthy stream delivers
      // within its buffering interval; the margin covers the commit itself. Idle streams emit nothing.
      // https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
      const freshnessLimit = sink.bufferIntervalSeconds + FRESHNESS_MARGIN_SECONDS;
      add(`${sink.key}DataFreshness`, {
        alarmName: name('sink', sink.key, 'freshness'),
        alarmDescription: `Firehose stream ${sink.streamName} holds records older than ${freshnessLimit}s (${names.freshness}): delivery is stalled or failing`,
        metric: firehoseMetric(sink.streamName, names.freshness, 'Maximum'),
        threshold: freshnessLimit,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (names.successRatio)
        add(`${sink.key}DeliveryFailures`, {
          alarmName: name('sink', sink.key, 'delivery'),
          alarmDescription: `Firehose stream ${sink.streamName} failed to write objects (${names.successRatio} below 1)`,
          metric: firehoseMetric(sink.streamName, names.successRatio, 'Minimum'),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      if (sink.format !== 'json') {
        add(`${sink.key}FailedRows`, {
          alarmName: name('sink', sink.key, 'failed-rows'),
          alarmDescription: `Firehose stream ${sink.streamName} rejected rows (${names.failed})`,
          metric: firehoseMetric(sink.streamName, names.failed, 'Sum'),
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
    }
  }
}
