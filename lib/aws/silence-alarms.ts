import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { topicMessagesInForAlarm } from './tenant-metrics.ts';

/** Properties of {@link SilenceAlarms}. */
export interface SilenceAlarmsProps {
  /** Tenant name; alarm names start with `stratus-<tenant>-`. */
  readonly tenant: string;
  /** The source topics (full names): those declared producers or the ingest endpoint write. */
  readonly topics: string[];
  /** `alerts.silence`: how long a topic may receive nothing, whole minutes, at most one day. */
  readonly silence: Duration;
  /** MSK cluster name (the `Cluster Name` metric dimension). */
  readonly clusterName: string;
  /** Cluster mode and size: which AWS/Kafka metrics carry a topic's messages. */
  readonly cluster: { serverless: boolean; brokerNodes: number };
  /** ARN of the SNS topic every alarm notifies (on alarm and on recovery). */
  readonly alarmTopicArn: string;
}

/**
 * One alarm per source topic that fires when no message arrived for `silence` (`alerts.silence`): every
 * one-minute period of the window saw zero messages. A topic with no data points at all is silent too (missing
 * data breaches), so a producer that never started alarms as well as one that stopped.
 */
export class SilenceAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: SilenceAlarmsProps) {
    super(scope, id);
    const minutes = props.silence.toMinutes();
    // One-minute periods: CloudWatch evaluates at most one day of periods shorter than an hour.
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
      throw new Error(`SilenceAlarms ${props.tenant}: silence must be 1–1440 whole minutes, got ${minutes}`);
    for (const topic of props.topics)
      if (!topic.startsWith(`${props.tenant}.`))
        throw new Error(`SilenceAlarms ${props.tenant}: topic "${topic}" is not a topic of the tenant`);
    const action = new actions.SnsAction(sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn));
    for (const topic of props.topics) {
      const key = topic.slice(props.tenant.length + 1);
      const alarm = new cloudwatch.Alarm(this, `${key}Silence`, {
        alarmName: `stratus-${props.tenant}-${key}-silence`,
        alarmDescription: `${topic} received no message for ${minutes} minutes (alerts.silence): its producers stopped or cannot reach the cluster`,
        metric: topicMessagesInForAlarm(props.clusterName, topic, props.cluster),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    }
  }
}
