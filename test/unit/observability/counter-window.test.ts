import { describe, expect, it } from 'vitest';
import { CounterWindow } from '../../../lib/local/observability/counter-window.ts';

describe('CounterWindow', () => {
  it('gives the growth over the window, measured from the last snapshot at or before its start', () => {
    const window = new CounterWindow(60_000);
    expect(window.increase()).toBeUndefined();
    window.record(0, 0);
    window.record(10, 30_000);
    expect(window.increase()).toBe(10);
    window.record(25, 60_000);
    expect(window.increase()).toBe(25);
    window.record(40, 90_000); // window starts at 30 s: from 10
    expect(window.increase()).toBe(30);
    window.record(40, 200_000); // nothing new in the last minute
    expect(window.increase()).toBe(0);
  });

  it('counts from zero after a reset', () => {
    const window = new CounterWindow(60_000);
    window.record(50, 0);
    window.record(5, 10_000);
    expect(window.increase()).toBe(5);
  });
});
