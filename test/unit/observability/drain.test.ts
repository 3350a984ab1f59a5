import { describe, expect, it } from 'vitest';
import { estimateDrain, type GroupTotals } from '../../../lib/ops/lag.ts';

const at = (seconds: number, positionSum: number, logEndSum: number): GroupTotals => ({
  sampledAt: seconds * 1000,
  positionSum,
  logEndSum,
  offsetLag: logEndSum - positionSum,
});

describe('estimateDrain', () => {
  it('divides the lag by the net rate: consumed minus produced', () => {
    // 10 s: consumed 500 (50/s), produced 100 (10/s); 1600 left at 40/s net → 40 s.
    const drain = estimateDrain(at(0, 1000, 3000), at(10, 1500, 3100));
    expect(drain.consumeRate).toBe(50);
    expect(drain.produceRate).toBe(10);
    expect(drain.etaSeconds).toBe(40);
  });

  it('has no estimate when the group does not gain on its topic', () => {
    expect(estimateDrain(at(0, 0, 100), at(10, 100, 200)).etaSeconds).toBeNull(); // equal rates
    expect(estimateDrain(at(0, 0, 100), at(10, 50, 300)).etaSeconds).toBeNull(); // falling behind
    expect(estimateDrain(at(0, 0, 100), at(10, 0, 100)).etaSeconds).toBeNull(); // stopped
  });

  it('is 0 when caught up, whatever the rates', () => {
    expect(estimateDrain(at(0, 0, 100), at(10, 300, 300)).etaSeconds).toBe(0);
  });

  it('treats a position moved backwards (a replay) as no consumption, not negative consumption', () => {
    const drain = estimateDrain(at(0, 900, 1000), at(10, 100, 1000));
    expect(drain.consumeRate).toBe(0);
    expect(drain.etaSeconds).toBeNull();
  });

  it('refuses samples out of order', () => {
    expect(() => estimateDrain(at(10, 0, 0), at(10, 0, 0))).toThrow(/later/);
  });
});
