import { describe, expect, it } from 'vitest';
import { formatSeconds, lagJson, renderLagTable } from '../../../lib/ops/lag/render.ts';
import type { GroupLagWithRates } from '../../../lib/ops/lag.ts';

function group(overrides: Partial<GroupLagWithRates>): GroupLagWithRates {
  return {
    target: { tenant: 'shop', consumer: 'enrich', groupId: 'shop.enrich', topic: 'shop.orders' },
    state: 'Stable',
    members: 1,
    sampledAt: Date.UTC(2026, 10, 24, 8, 0, 0),
    partitions: [
      {
        partition: 0,
        committed: 90,
        position: 90,
        logStart: 0,
        logEnd: 100,
        offsetLag: 10,
        nextRecordTimestamp: Date.UTC(2026, 10, 24, 7, 58, 0),
        timeLagSeconds: 120,
      },
      {
        partition: 1,
        committed: null,
        position: 0,
        logStart: 0,
        logEnd: 5,
        offsetLag: 5,
        nextRecordTimestamp: null,
        timeLagSeconds: null,
      },
    ],
    positionSum: 90,
    logEndSum: 105,
    offsetLag: 15,
    maxOffsetLag: 10,
    timeLagSeconds: 120,
    consumeRate: 2.54,
    produceRate: 1,
    etaSeconds: 9.74,
    ...overrides,
  };
}

describe('stratus lag output', () => {
  it('formats durations for people', () => {
    expect([0, 4.26, 42.4, 125, 7300, 200_000, null].map(formatSeconds)).toEqual([
      '0s',
      '4.3s',
      '42s',
      '2m05s',
      '2h01m',
      '2d07h',
      '?',
    ]);
  });

  it('aligns a row per group, partitions on request, and says when a group is caught up, not draining or unreadable', () => {
    const table = renderLagTable(
      [
        group({}),
        group({
          target: { tenant: 'shop', consumer: 'audit', groupId: 'shop.audit', topic: 'shop.orders' },
          offsetLag: 0,
          etaSeconds: 0,
        }),
        group({
          target: { tenant: 'shop', consumer: 'slow', groupId: 'shop.slow', topic: 'shop.orders' },
          etaSeconds: null,
          state: 'Empty',
          members: 0,
        }),
        group({
          target: { tenant: 'shop', consumer: 'new', groupId: 'shop.new', topic: 'shop.later' },
          error: 'topic shop.later does not exist',
        }),
      ],
      { partitions: true },
    );
    const lines = table.split('\n');
    expect(lines[1]!.split(/\s{2,}/)).toEqual([
      'shop.enrich',
      'shop.orders',
      '2',
      '15',
      '2m00s',
      '2.5',
      '1',
      '9.7s',
      'Stable (1 member)',
    ]);
    expect(lines[2]).toMatch(/^ {2}partition 0\s+90\/100\s+10\s+2m00s$/);
    expect(lines[3]).toMatch(/^ {2}partition 1\s+0\/5\s+5\s+\?\s+no commit yet$/);
    expect(table).toMatch(/shop\.audit .* caught up {2}Stable/);
    expect(table).toMatch(/shop\.slow .* not draining {2}Empty \(0 members\)/);
    expect(table).toMatch(/shop\.new {2,}shop\.later {2,}error: topic shop\.later does not exist$/m);
    // Every line is as wide as the header's columns make it: the numeric columns line up on the right.
    const offsetLagEnd = lines[0]!.indexOf('OFFSET LAG') + 'OFFSET LAG'.length;
    expect(lines[1]!.slice(offsetLagEnd - 2, offsetLagEnd)).toBe('15');
  });

  it('gives scripts every figure with ISO times', () => {
    const json = lagJson([group({})], ['127.0.0.1:9092'], 2);
    expect(json.groups[0]).toMatchObject({
      groupId: 'shop.enrich',
      sampledAt: '2026-11-24T08:00:00.000Z',
      offsetLag: 15,
      timeLagSeconds: 120,
      etaSeconds: 9.74,
    });
    expect(json.groups[0]!.partitions[0]!.nextRecordTimestamp).toBe('2026-11-24T07:58:00.000Z');
    expect(json.groups[0]!.partitions[1]).toMatchObject({
      committed: null,
      nextRecordTimestamp: null,
      timeLagSeconds: null,
    });
  });
});
