/**
 * The manifest's alert thresholds evaluated locally the way CloudWatch evaluates alarms: each alarm is OK,
 * ALARM or INSUFFICIENT_DATA; it goes to ALARM when `datapointsToAlarm` of the last `evaluationPeriods`
 * datapoints breach (value > threshold, as GreaterThanThreshold; value < threshold for the sinks' table
 * expectations, as LessThanThreshold), back to OK when fewer do, and to
 * INSUFFICIENT_DATA when every datapoint in the range is missing
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
 * Every state change is reported once, with the value and the reason.
 */
import type { TenantSpec } from '../../manifest/spec.ts';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export const ALARM_STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/** The manifest's `alerts` fields, one alarm kind each. */
export type AlarmKind =
  | 'lagSeconds'
  | 'lagRecords'
  | 'errorRatePercent'
  | 'dlqRecords'
  | 'qualityRatePercent'
  | 'sinkFreshnessSeconds'
  | 'sinkVolumeRows';

/** CloudWatch's ComparisonOperator, the two the manifest's alerts need. */
export type AlarmComparison = 'GreaterThanThreshold' | 'LessThanThreshold';

export interface AlarmDefinition {
  /** Stable key: `<kind>/<resource>`. */
  id: string;
  tenant: string;
  kind: AlarmKind;
  /** What the alarm watches: a consumer group id, or the tenant's DLQ topic for `dlqRecords`. */
  resource: string;
  threshold: number;
  /** How a datapoint breaches: above the threshold (every consumer alarm) or below it (a sink's volume). */
  comparison: AlarmComparison;
  /** One line for people: what breaching means. */
  description: string;
}

export interface AlarmStatus extends AlarmDefinition {
  state: AlarmState;
  /** The last datapoint; null when it was missing. */
  value: number | null;
  /** Epoch ms of the last state change. */
  since: number;
  /** Why the alarm is in its state, CloudWatch's StateReason. */
  reason: string;
}

export interface AlarmTransition {
  alarm: AlarmStatus;
  from: AlarmState;
  to: AlarmState;
}

const UNIT: Record<AlarmKind, string> = {
  lagSeconds: 's time lag',
  lagRecords: 'records of offset lag',
  errorRatePercent: '% of invocations failed',
  dlqRecords: 'records to the DLQ in 5 min',
  qualityRatePercent: '% of records failing the rule in 5 min',
  sinkFreshnessSeconds: 's since the last delivered row',
  sinkVolumeRows: 'rows delivered in the period',
};

/** `<group>/<stage>/<rule>`: what a quality-rule alarm watches (lib/core/quality-metrics.ts dimensions). */
export function qualityAlarmResource(groupId: string, stage: string, rule: string): string {
  return `${groupId}/${stage}/${rule}`;
}

/** `<tenant>.<sink>`: what a sink's expectation alarms watch. */
export function sinkAlarmResource(sink: { tenant: string; key: string }): string {
  return `${sink.tenant}.${sink.key}`;
}

/**
 * One alarm per consumer and lag/error threshold, one per tenant for the DLQ threshold, and one per sink
 * expectation (`sinks.<s>.expect`), as lib/aws/contract-alarms.ts creates them on AWS.
 */
export function alarmDefinitions(tenants: TenantSpec[]): AlarmDefinition[] {
  const alarms: AlarmDefinition[] = [];
  const add = (
    tenant: string,
    kind: AlarmKind,
    resource: string,
    threshold: number | undefined,
    comparison: AlarmComparison = 'GreaterThanThreshold',
  ) => {
    if (threshold === undefined) return;
    const relation = comparison === 'GreaterThanThreshold' ? 'more than' : 'fewer than';
    alarms.push({
      id: `${kind}/${resource}`,
      tenant,
      kind,
      resource,
      threshold,
      comparison,
      description: `${resource}: ${relation} ${threshold} ${UNIT[kind]}`,
    });
  };
  for (const tenant of tenants) {
    for (const consumer of tenant.consumers) {
      add(tenant.name, 'lagSeconds', consumer.groupId, tenant.alerts.lagSeconds);
      add(tenant.name, 'lagRecords', consumer.groupId, tenant.alerts.lagRecords);
      add(tenant.name, 'errorRatePercent', consumer.groupId, tenant.alerts.errorRatePercent);
      // One per quality rule the consumer runs: its source topic's rules on input, its output topic's on output.
      for (const [stage, topicName] of [
        ['input', consumer.topic],
        ['output', consumer.output],
      ] as const) {
        const topic = tenant.topics?.find((t) => t.name === topicName);
        for (const rule of topic?.quality ?? [])
          add(
            tenant.name,
            'qualityRatePercent',
            qualityAlarmResource(consumer.groupId, stage, rule.name),
            rule.alarmPercent ?? tenant.alerts.qualityRatePercent,
          );
      }
    }
    add(tenant.name, 'dlqRecords', tenant.dlq.name, tenant.alerts.dlqRecords);
    for (const sink of tenant.sinks ?? []) {
      const { freshnessMs, volume } = sink.expectations ?? {};
      const resource = sinkAlarmResource(sink);
      add(
        tenant.name,
        'sinkFreshnessSeconds',
        resource,
        freshnessMs === undefined ? undefined : freshnessMs / 1000,
      );
      add(tenant.name, 'sinkVolumeRows', resource, volume?.minRows, 'LessThanThreshold');
    }
  }
  return alarms;
}

export interface AlarmEvaluatorOptions {
  /**
   * Datapoints in the evaluation range (CloudWatch EvaluationPeriods).
   * @default 1
   */
  evaluationPeriods?: number;
  /**
   * Breaching datapoints within the range that set ALARM (CloudWatch DatapointsToAlarm).
   * @default evaluationPeriods
   */
  datapointsToAlarm?: number;
  /** Called once per state change. */
  onTransition?: (transition: AlarmTransition) => void;
}

/** Evaluates datapoints against the alarms and remembers their states. */
export class AlarmEvaluator {
  readonly #alarms = new Map<string, { status: AlarmStatus; datapoints: (number | null)[] }>();
  readonly #periods: number;
  readonly #toAlarm: number;
  readonly #onTransition: (transition: AlarmTransition) => void;

  constructor(definitions: AlarmDefinition[], options: AlarmEvaluatorOptions = {}, now = Date.now()) {
    this.#periods = options.evaluationPeriods ?? 1;
    this.#toAlarm = options.datapointsToAlarm ?? this.#periods;
    if (this.#toAlarm < 1 || this.#toAlarm > this.#periods)
      throw new Error('datapointsToAlarm must be between 1 and evaluationPeriods');
    this.#onTransition = options.onTransition ?? (() => {});
    for (const definition of definitions) {
      this.#alarms.set(definition.id, {
        status: {
          ...definition,
          state: 'INSUFFICIENT_DATA',
          value: null,
          since: now,
          reason: 'no datapoint yet',
        },
        datapoints: [],
      });
    }
  }

  /**
   * Adds one datapoint per alarm (an alarm absent from `values`, or with undefined/NaN, gets a missing
   * datapoint) and returns the state changes it caused.
   */
  evaluate(values: ReadonlyMap<string, number | undefined>, now = Date.now()): AlarmTransition[] {
    const transitions: AlarmTransition[] = [];
    for (const [id, alarm] of this.#alarms) {
      const raw = values.get(id);
      const value = raw === undefined || Number.isNaN(raw) ? null : raw;
      alarm.datapoints.push(value);
      if (alarm.datapoints.length > this.#periods) alarm.datapoints.shift();
      const present = alarm.datapoints.filter((point): point is number => point !== null);
      const breaching = present.filter((point) => breaches(alarm.status, point)).length;
      let next: AlarmState;
      if (breaching >= this.#toAlarm) next = 'ALARM';
      else if (present.length === 0) next = 'INSUFFICIENT_DATA';
      else next = 'OK';
      const from = alarm.status.state;
      alarm.status = {
        ...alarm.status,
        value,
        state: next,
        since: next === from ? alarm.status.since : now,
        reason: reason(alarm.status, value, breaching, this.#periods),
      };
      if (next !== from) {
        const transition = { alarm: alarm.status, from, to: next };
        transitions.push(transition);
        this.#onTransition(transition);
      }
    }
    return transitions;
  }

  list(): AlarmStatus[] {
    return [...this.#alarms.values()].map((alarm) => alarm.status);
  }

  get(id: string): AlarmStatus | undefined {
    return this.#alarms.get(id)?.status;
  }
}

function breaches(alarm: AlarmDefinition, value: number): boolean {
  return alarm.comparison === 'LessThanThreshold' ? value < alarm.threshold : value > alarm.threshold;
}

function reason(alarm: AlarmDefinition, value: number | null, breaching: number, periods: number): string {
  const shown = value === null ? 'missing' : `${round(value)} ${UNIT[alarm.kind]}`;
  return `${shown} (threshold ${alarm.threshold}); ${breaching} of the last ${periods} datapoint${periods === 1 ? '' : 's'} breaching`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** One log line per transition, e.g. `alarm lagSeconds payments.enrich-orders: OK → ALARM (340.2 s time lag …)`. */
export function formatTransition({ alarm, from, to }: AlarmTransition): string {
  return `alarm ${alarm.kind} ${alarm.resource}: ${from} → ${to} (${alarm.reason})`;
}
