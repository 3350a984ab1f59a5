import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LagAlarms } from '../../lib/aws/lag-alarms.ts';
import { TenantDashboard } from '../../lib/aws/tenant-dashboard.ts';
import { appWithoutBundling, resolveIntrinsics } from './helpers.ts';

const consumers = [
  {
    key: 'enrich-orders',
    functionName: 'stratus-payments-enrich-orders',
    groupId: 'payments.enrich-orders',
    topic: 'payments.orders',
    eventSourceMappingId: 'esm-uuid-1',
  },
];
const sinks = [
  {
    key: 'orders-lake',
    streamName: 'stratus-payments-orders-lake',
    format: 'iceberg' as const,
    bufferIntervalSeconds: 60,
  },
  {
    key: 'views-raw',
    streamName: 'stratus-payments-views-raw',
    format: 'json' as const,
    bufferIntervalSeconds: 300,
  },
];
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:stratus-alarms';

describe('TenantDashboard', () => {
  it('shows records in/out, errors, duration, throttles, lag per group, DLQ growth and sink health', () => {
    const stack = new Stack(appWithoutBundling(), 'Test');
    new TenantDashboard(stack, 'Dashboard', {
      tenant: 'payments',
      clusterName: 'stratus',
      consumers,
      outputTopics: ['payments.orders-enriched'],
      dlqTopic: 'payments.dlq',
      sinks,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Stratus-payments' });
    const raw = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties
      .DashboardBody;
    const body = JSON.parse(resolveIntrinsics(raw, template.toJSON() as never, { ssm: {} }) as string) as {
      widgets: Array<{ properties: { title?: string; metrics?: unknown[] } }>;
    };
    const titles = body.widgets.map((w) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      'Records in (polled by the event-source mappings)',
      'Records out (messages into output topics)',
      'Errors',
      'Duration (p99) and throttles',
      'OffsetLag (records) per consumer group',
      'EstimatedMaxTimeLag (seconds) per consumer group',
      'DLQ growth',
      'Sink orders-lake: delivery and failed rows',
      'Sink orders-lake: data freshness (s)',
      'Sink views-raw: delivery and failed rows',
      'Sink views-raw: data freshness (s)',
    ]);
    const text = JSON.stringify(body);
    for (const needle of [
      '"PolledEventCount","EventSourceMappingUUID","esm-uuid-1"',
      'MetricName=\\"MessagesInPerSec\\" \\"Cluster Name\\"=\\"stratus\\" Topic=\\"payments.orders-enriched\\"',
      '"Errors","FunctionName","stratus-payments-enrich-orders"',
      '"Throttles","FunctionName","stratus-payments-enrich-orders"',
      '"OffsetLag","FunctionName","stratus-payments-enrich-orders"',
      '"EstimatedMaxTimeLag","Cluster Name","stratus","Consumer Group","payments.enrich-orders","Topic","payments.orders"',
      'Topic=\\"payments.dlq\\"',
      '"OnFailureDestinationDeliveredEventCount"',
      '"DeliveryToIceberg.SuccessfulRowCount","DeliveryStreamName","stratus-payments-orders-lake"',
      '"DeliveryToIceberg.DataFreshness"',
      '"DeliveryToIceberg.FailedRowCount"',
    ])
      expect(text).toContain(needle);
  });
});

describe('TenantDashboard validation', () => {
  it('rejects a DLQ topic of another tenant', () => {
    expect(
      () =>
        new TenantDashboard(new Stack(appWithoutBundling(), 'Test'), 'Dashboard', {
          tenant: 'payments',
          clusterName: 'stratus',
          consumers,
          outputTopics: [],
          dlqTopic: 'clickstream.dlq',
        }),
    ).toThrow(/dlqTopic "clickstream.dlq" is not a topic of the tenant/);
  });
});

describe('LagAlarms', () => {
  const synth = (alerts: Record<string, number | undefined>) => {
    const stack = new Stack(appWithoutBundling(), 'Test');
    const construct = new LagAlarms(stack, 'Alarms', {
      tenant: 'payments',
      alerts,
      clusterName: 'stratus',
      alarmTopicArn: TOPIC_ARN,
      consumers,
      sinks,
    });
    return { construct, template: Template.fromStack(stack) };
  };

  it('turns every alert into an alarm on the platform topic, with deliberate missing-data treatment', () => {
    const { template } = synth({ lagSeconds: 300, lagRecords: 10_000, errorRatePercent: 1, dlqRecords: 10 });
    const alarm = (name: string) =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
        (a) => a.Properties.AlarmName === name,
      )!.Properties;
    expect(alarm('stratus-payments-enrich-orders-time-lag')).toMatchObject({
      Namespace: 'AWS/Kafka',
      MetricName: 'EstimatedMaxTimeLag',
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
      AlarmActions: [TOPIC_ARN],
      OKActions: [TOPIC_ARN],
    });
    expect(alarm('stratus-payments-enrich-orders-offset-lag')).toMatchObject({
      MetricName: 'SumOffsetLag',
      Threshold: 10_000,
      TreatMissingData: 'ignore',
    });
    const errorRate = alarm('stratus-payments-enrich-orders-error-rate');
    expect(errorRate).toMatchObject({ Threshold: 1, TreatMissingData: 'notBreaching' });
    expect(JSON.stringify(errorRate.Metrics)).toContain('100 * errors / invocations');
    expect(alarm('stratus-payments-enrich-orders-dlq-growth')).toMatchObject({
      MetricName: 'OnFailureDestinationDeliveredEventCount',
      Period: 300,
      Threshold: 10,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm('stratus-payments-sink-orders-lake-failed-rows')).toMatchObject({
      MetricName: 'DeliveryToIceberg.FailedRowCount',
      Threshold: 0,
    });
    expect(alarm('stratus-payments-sink-orders-lake-freshness')).toMatchObject({
      MetricName: 'DeliveryToIceberg.DataFreshness',
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 360,
      TreatMissingData: 'notBreaching',
    });
    // S3's Success is a ratio of successful PUTs, so below 1 is a failure there.
    expect(alarm('stratus-payments-sink-views-raw-delivery')).toMatchObject({
      MetricName: 'DeliveryToS3.Success',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
    expect(alarm('stratus-payments-sink-views-raw-freshness')).toMatchObject({ Threshold: 600 });
  });

  it('creates only the alarms the manifest asks for (plus sink health)', () => {
    const { construct } = synth({ lagSeconds: 60 });
    expect(construct.alarms.map((a) => a.node.id)).toEqual([
      'enrich-ordersTimeLag',
      'orders-lakeDataFreshness',
      'orders-lakeFailedRows',
      'views-rawDataFreshness',
      'views-rawDeliveryFailures',
    ]);
  });

  it.each([
    [{ lagSeconds: -1 }, /alerts.lagSeconds must be a non-negative number/],
    [{ errorRatePercent: 150 }, /alerts.errorRatePercent must be at most 100/],
  ])('rejects %o', (alerts, message) => {
    expect(() => synth(alerts)).toThrow(message);
  });
});
