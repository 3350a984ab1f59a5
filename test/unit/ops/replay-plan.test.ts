import { describe, expect, it } from 'vitest';
import { boundedRanges } from '../../../lib/ops/replay/local-bounded.ts';
import { type ReplayPlan, sandboxPlan } from '../../../lib/ops/replay/plan.ts';
import { renderReplayPlan } from '../../../lib/ops/replay/render.ts';
import { windowProblem } from '../../../lib/ops/replay/window.ts';

const now = new Date('2026-11-24T10:00:00Z');

describe('replay window', () => {
  it('accepts a start in the past, open or bounded', () => {
    expect(windowProblem({ from: new Date('2026-11-24T09:00:00Z') }, now)).toBeUndefined();
    expect(
      windowProblem({ from: new Date('2026-11-24T09:00:00Z'), to: new Date('2026-11-24T09:30:00Z') }, now),
    ).toBeUndefined();
  });

  it('refuses a start in the future and an end before the start', () => {
    expect(windowProblem({ from: new Date('2026-11-24T11:00:00Z') }, now)).toBe(
      '--from 2026-11-24T11:00:00.000Z is in the future (now 2026-11-24T10:00:00.000Z); nothing to replay',
    );
    expect(
      windowProblem({ from: new Date('2026-11-24T09:00:00Z'), to: new Date('2026-11-24T09:00:00Z') }, now),
    ).toMatch(/--to .* must be after --from/);
  });
});

describe('replay plan table', () => {
  it('shows committed, target and records per partition, and why a partition is skipped', () => {
    const plan: ReplayPlan = {
      topic: 'payments.orders',
      groupId: 'payments.enrich-orders',
      from: '2026-11-24T09:00:00.000Z',
      records: 250,
      partitions: [
        { partition: 0, committed: '500', target: '250', records: 250 },
        { partition: 1, committed: null, target: '0', records: 0, skipReason: 'no committed offset' },
      ],
    };
    expect(renderReplayPlan(plan, 'local')).toBe(
      [
        'Replay payments.enrich-orders (topic payments.orders) from 2026-11-24T09:00:00.000Z — local',
        'partition  committed  target  records',
        '        0        500     250      250',
        '        1          -       0        0  (no committed offset)',
        '250 records will be processed again.',
      ].join('\n'),
    );
  });
});

describe('bounded and sandbox ranges', () => {
  const plan: ReplayPlan = {
    topic: 't.orders',
    groupId: 't.enrich',
    from: '2026-11-24T09:00:00.000Z',
    to: '2026-11-24T09:30:00.000Z',
    records: 0,
    partitions: [
      // the live group is past the window's end
      { partition: 0, committed: '90', target: '10', end: '50', records: 40 },
      // the live group is inside the window
      { partition: 1, committed: '30', target: '20', end: '60', records: 10 },
      // the live group never committed
      { partition: 2, committed: null, target: '5', end: '8', records: 0, skipReason: 'no committed offset' },
    ],
  };
  const highs = new Map([
    [0, '100'],
    [1, '70'],
    [2, '8'],
  ]);

  it('--to replays only what the live group processed; a sandbox replays the whole window', () => {
    expect(boundedRanges(plan, false, highs)).toEqual([
      { partition: 0, from: '10', to: '50' },
      { partition: 1, from: '20', to: '30' },
      { partition: 2, from: '5', to: '5' },
    ]);
    expect(boundedRanges(plan, true, highs)).toEqual([
      { partition: 0, from: '10', to: '50' },
      { partition: 1, from: '20', to: '60' },
      { partition: 2, from: '5', to: '8' },
    ]);
  });

  it('a sandbox plan counts every record of the window; without --to it runs to the end of the log', () => {
    expect(sandboxPlan(plan, highs).partitions.map((p) => p.records)).toEqual([40, 40, 3]);
    const open = { ...plan, to: undefined, partitions: plan.partitions.map(({ end: _end, ...p }) => p) };
    const sandbox = sandboxPlan(open, highs);
    expect(sandbox.partitions.map((p) => p.records)).toEqual([90, 50, 3]);
    expect(sandbox.records).toBe(143);
    expect(sandbox.partitions.every((p) => p.skipReason === undefined)).toBe(true);
  });
});
