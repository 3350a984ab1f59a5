/**
 * The manifest's alert thresholds evaluated locally the way CloudWatch evaluates alarms: each alarm is OK,
 * ALARM or INSUFFICIENT_DATA; it goes to ALARM when `datapointsToAlarm` of the last `evaluationPeriods`
 * datapoints breach (value > threshold, as GreaterThanThreshold), back to OK when fewer do, and to
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
  | 'qualityRatePercent';

export interface AlarmDefinition {
  /** Stable key: `<kind>/<resource>`. */
  id: string;
  tenant: string;
  kind: AlarmKind;
  /** What the alarm watches: a consumer group id, or the tenant's DLQ topic for `dlqRecords`. */
  resource: string;
  threshold: number;
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
};

/** `<group>/<stage>/<rule>`: what a quality-rule alarm watches (lib/core/quality-metrics.ts dimensions). */
export function qualityAlarmResource(groupId: string, stage: string, rule: string): string {
  return `${groupId}/${stage}/${rule}`;
}

/** One alarm per consumer and lag/error threshold, and one per tenant for the DLQ threshold. */
export function alarmDefinitions(tenants: TenantSpec[]): AlarmDefinition[] {
  const alarms: AlarmDefinition[] = [];
  const add = (tenant: string, kind: AlarmKind, resource: string, threshold: number | undefined) => {
    if (threshold === undefined) return;
    alarms.push({
      id: `${kind}/${resource}`,
      tenant,
      kind,
      resource,
      threshold,
      description: `${resource}: more than ${threshold} ${UNIT[kind]}`,
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
      const breaching = present.filter((point) => point > alarm.status.threshold).length;
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
