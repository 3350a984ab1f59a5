import { describe, expect, it } from 'vitest';
import type { ReplayPlan } from '../../../lib/ops/replay/plan.ts';
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
