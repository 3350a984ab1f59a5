import { describe, expect, it } from 'vitest';
import {
  type AlarmDefinition,
  AlarmEvaluator,
  type AlarmTransition,
  alarmDefinitions,
  formatTransition,
} from '../../../lib/local/observability/alarms.ts';
import type { TenantSpec } from '../../../lib/manifest/spec.ts';

const lagAlarm: AlarmDefinition = {
  id: 'lagSeconds/shop.enrich',
  tenant: 'shop',
  kind: 'lagSeconds',
  resource: 'shop.enrich',
  threshold: 300,
  comparison: 'GreaterThanThreshold',
  description: 'shop.enrich: more than 300 s time lag',
};

function run(evaluator: AlarmEvaluator, values: (number | undefined)[]): string[] {
  return values.map((value, i) => {
    evaluator.evaluate(new Map([[lagAlarm.id, value]]), i * 1000);
    return evaluator.get(lagAlarm.id)!.state;
  });
}

describe('AlarmEvaluator', () => {
  it('starts in INSUFFICIENT_DATA and moves OK → ALARM → OK with the datapoints', () => {
    const transitions: AlarmTransition[] = [];
    const evaluator = new AlarmEvaluator([lagAlarm], { onTransition: (t) => transitions.push(t) }, 0);
    expect(evaluator.get(lagAlarm.id)!.state).toBe('INSUFFICIENT_DATA');
    expect(run(evaluator, [10, 300, 301, 500, 20])).toEqual(['OK', 'OK', 'ALARM', 'ALARM', 'OK']);
    expect(transitions.map((t) => `${t.from}→${t.to}`)).toEqual([
      'INSUFFICIENT_DATA→OK',
      'OK→ALARM',
      'ALARM→OK',
    ]);
    // The threshold itself does not breach (GreaterThanThreshold), 301 does.
    expect(transitions[1]!.alarm.value).toBe(301);
    expect(formatTransition(transitions[1]!)).toBe(
      'alarm lagSeconds shop.enrich: OK → ALARM (301 s time lag (threshold 300); 1 of the last 1 datapoint breaching)',
    );
  });

  it('goes to INSUFFICIENT_DATA when datapoints are missing', () => {
    const evaluator = new AlarmEvaluator([lagAlarm]);
    expect(run(evaluator, [400, undefined, Number.NaN, 10])).toEqual([
      'ALARM',
      'INSUFFICIENT_DATA',
      'INSUFFICIENT_DATA',
      'OK',
    ]);
  });

  it('needs datapointsToAlarm breaching datapoints out of evaluationPeriods (M out of N)', () => {
    const evaluator = new AlarmEvaluator([lagAlarm], { evaluationPeriods: 3, datapointsToAlarm: 2 });
    expect(run(evaluator, [400, 10, 400, 400, 10, 10])).toEqual([
      'OK',
      'OK',
      'ALARM',
      'ALARM',
      'ALARM',
      'OK',
    ]);
  });

  it('keeps the time of the last state change', () => {
    const evaluator = new AlarmEvaluator([lagAlarm], {}, 0);
    run(evaluator, [400, 500, 600]);
    expect(evaluator.get(lagAlarm.id)!.since).toBe(0);
  });

  it('rejects datapointsToAlarm larger than evaluationPeriods', () => {
    expect(() => new AlarmEvaluator([lagAlarm], { evaluationPeriods: 2, datapointsToAlarm: 3 })).toThrow(
      /between/,
    );
  });
});

describe('alarmDefinitions', () => {
  it('makes one alarm per consumer and threshold, and one per tenant for the DLQ', () => {
    const tenant = {
      name: 'shop',
      alerts: { lagSeconds: 120, errorRatePercent: 5, dlqRecords: 10 },
      consumers: [{ groupId: 'shop.a' }, { groupId: 'shop.b' }],
      dlq: { name: 'shop.dlq' },
    } as unknown as TenantSpec;
    expect(alarmDefinitions([tenant]).map((alarm) => `${alarm.id}>${alarm.threshold}`)).toEqual([
      'lagSeconds/shop.a>120',
      'errorRatePercent/shop.a>5',
      'lagSeconds/shop.b>120',
      'errorRatePercent/shop.b>5',
      'dlqRecords/shop.dlq>10',
    ]);
  });
});

describe('sink expectations', () => {
  const tenant = {
    name: 'shop',
    alerts: {},
    consumers: [],
    dlq: { name: 'shop.dlq' },
    sinks: [
      {
        tenant: 'shop',
        key: 'lake',
        expectations: { freshnessMs: 1_800_000, volume: { minRows: 100, periodMs: 3_600_000 } },
      },
      { tenant: 'shop', key: 'raw', expectations: {} },
    ],
  } as unknown as TenantSpec;

  it('makes a freshness alarm in seconds and a volume alarm that breaches below its minimum', () => {
    expect(alarmDefinitions([tenant]).map((a) => `${a.id} ${a.comparison} ${a.threshold}`)).toEqual([
      'sinkFreshnessSeconds/shop.lake GreaterThanThreshold 1800',
      'sinkVolumeRows/shop.lake LessThanThreshold 100',
    ]);
  });

  it('evaluates LessThanThreshold: below breaches, at or above is OK', () => {
    const [, volume] = alarmDefinitions([tenant]);
    const evaluator = new AlarmEvaluator([volume!], {}, 0);
    const states = [150, 99, 100, 0].map((rows, i) => {
      evaluator.evaluate(new Map([[volume!.id, rows]]), i);
      return evaluator.get(volume!.id)!.state;
    });
    expect(states).toEqual(['OK', 'ALARM', 'OK', 'ALARM']);
    expect(formatTransition({ alarm: evaluator.get(volume!.id)!, from: 'OK', to: 'ALARM' })).toContain(
      '0 rows delivered in the period (threshold 100)',
    );
  });
});
