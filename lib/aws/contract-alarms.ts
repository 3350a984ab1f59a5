import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { QUALITY_METRICS, type QualityStage, qualityMetricDimensions } from '../core/quality-metrics.ts';
import type { SinkExpectationsSpec, SinkFormat } from '../manifest/spec.ts';

const QUALITY_PERIOD = Duration.minutes(5);
const DAY_MS = 86_400_000;

/** One quality rule as one consumer runs it. */
export interface RuleMetricsSource {
  /** Consumer key (the `consumer` dimension). */
  readonly consumer: string;
  readonly rule: string;
  readonly stage: QualityStage;
  /** Alarm above this failure percentage; no alarm when undefined. */
  readonly alarmPercent?: number;
}

/** One sink's table-level expectations. */
export interface SinkExpectationsSource {
  readonly key: string;
  readonly streamName: string;
  readonly format: SinkFormat;
  readonly expectations: SinkExpectationsSpec;
}

/** Properties of {@link ContractAlarms}. */
export interface ContractAlarmsProps {
  /** Tenant name; alarm names start with `stratus-<tenant>-`. */
  readonly tenant: string;
  /** ARN of the SNS topic every alarm notifies. */
  readonly alarmTopicArn: string;
  /** Every rule of every consumer, input and output. */
  readonly rules: readonly RuleMetricsSource[];
  /** Sinks with `expect`. */
  readonly sinks: readonly SinkExpectationsSource[];
  /**
   * Dashboard to add the rule and expectation widgets to.
   * @default - no widgets
   */
  readonly dashboard?: cloudwatch.Dashboard;
}

/** The SDK's per-rule metric (lib/core/quality-metrics.ts). */
export function qualityRuleMetric(
  tenant: string,
  source: RuleMetricsSource,
  name: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'Stratus',
    metricName: name,
    dimensionsMap: qualityMetricDimensions(tenant, source.consumer, source.rule, source.stage),
    statistic: 'Sum',
    period: QUALITY_PERIOD,
  });
}

/** Rows a sink delivered (Firehose: DeliveryToIceberg.SuccessfulRowCount, DeliveryToS3.Records). */
export function deliveredRowsMetric(sink: SinkExpectationsSource, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Firehose',
    metricName: sink.format === 'iceberg' ? 'DeliveryToIceberg.SuccessfulRowCount' : 'DeliveryToS3.Records',
    dimensionsMap: { DeliveryStreamName: sink.streamName },
    statistic: 'Sum',
    period,
  });
}

/**
 * Data-contract alarms and widgets: a failure-rate alarm per quality rule (failed ÷ evaluated over 5 minutes,
 * above the rule's `alarmPercent` or the tenant's `alerts.quality.ratePercent`; no records is not breaching),
 * and per sink a freshness alarm (no row delivered within `expect.freshness`) and a volume alarm (fewer than
 * `expect.volume.min` rows per `expect.volume.per`); for sinks, missing data breaches, since Firehose emits
 * its delivery metrics only when it delivers.
 */
export class ContractAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ContractAlarmsProps) {
    super(scope, id);
    const action = new actions.SnsAction(sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn));
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, alarmProps);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    const failureRates = props.rules.map((rule, i) => {
      // Ids are unique per rule: the dashboard graphs every rule's expression together.
      const [p, f] = [`passed${i}`, `failed${i}`];
      const expression = new cloudwatch.MathExpression({
        expression: `IF(${p} + ${f} > 0, 100 * ${f} / (${p} + ${f}), 0)`,
        usingMetrics: {
          [p]: qualityRuleMetric(props.tenant, rule, QUALITY_METRICS.passed),
          [f]: qualityRuleMetric(props.tenant, rule, QUALITY_METRICS.failed),
        },
        label: `${rule.consumer} ${rule.stage} ${rule.rule} % failed`,
        period: QUALITY_PERIOD,
      });
      if (rule.alarmPercent !== undefined)
        add(`Quality-${rule.consumer}-${rule.stage}-${rule.rule}`, {
          alarmName: `stratus-${props.tenant}-${rule.consumer}-${rule.stage}-${rule.rule}-quality`.slice(
            0,
            255,
          ),
          alarmDescription: `more than ${rule.alarmPercent}% of ${rule.stage} records of consumer ${rule.consumer} fail quality rule "${rule.rule}" (alarmPercent / alerts.quality.ratePercent)`,
          metric: expression,
          threshold: rule.alarmPercent,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      return expression;
    });

    const rows: cloudwatch.IMetric[] = [];
    for (const sink of props.sinks) {
      const { freshnessMs, volume } = sink.expectations;
      if (freshnessMs !== undefined) {
        // Alarm periods are at most a day; a longer freshness window is several periods, all without rows.
        const periodMs = Math.min(freshnessMs, DAY_MS);
        const periods = Math.ceil(freshnessMs / periodMs);
        add(`Freshness-${sink.key}`, {
          alarmName: `stratus-${props.tenant}-${sink.key}-expect-freshness`,
          alarmDescription: `sink ${sink.key} delivered no row within ${freshnessMs / 60_000} minutes (expect.freshness)`,
          metric: deliveredRowsMetric(sink, Duration.millis(periodMs)),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: periods,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        });
      }
      if (volume) {
        add(`Volume-${sink.key}`, {
          alarmName: `stratus-${props.tenant}-${sink.key}-expect-volume`,
          alarmDescription: `sink ${sink.key} delivered fewer than ${volume.minRows} rows in ${volume.periodMs / 60_000} minutes (expect.volume)`,
          metric: deliveredRowsMetric(sink, Duration.millis(volume.periodMs)),
          threshold: volume.minRows,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        });
      }
      if (freshnessMs !== undefined || volume) rows.push(deliveredRowsMetric(sink, Duration.minutes(5)));
    }

    if (props.dashboard && (failureRates.length > 0 || rows.length > 0)) {
      const widgets: cloudwatch.IWidget[] = [];
      if (failureRates.length > 0)
        widgets.push(
          new cloudwatch.GraphWidget({
            title: 'Quality rules: % of records failing',
            left: failureRates,
            width: 12,
            height: 6,
          }),
        );
      if (rows.length > 0)
        widgets.push(
          new cloudwatch.GraphWidget({
            title: 'Sinks: rows delivered (freshness, volume)',
            left: rows,
            width: 12,
            height: 6,
          }),
        );
      props.dashboard.addWidgets(...widgets);
    }
  }
}
