/**
 * The chaos suite's short version (`npm run chaos -- short`): two kill -9s of `stratus dev` at random moments,
 * the broker and the AWS stores killed mid-stream, a short poison storm, then the independent accounting.
 * The full suite (`npm run chaos`) runs 20 kills and a one-minute storm.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../chaos/chaos.ts';
import { CHAOS_PROFILES, chaosVerdict } from '../../chaos/profiles.ts';

describe('chaos (short)', () => {
  it('loses nothing, duplicates no table row and dead-letters only poison through kills of every part', {
    timeout: 900_000,
  }, async () => {
    const figures = await runChaos({
      ...CHAOS_PROFILES.short,
      say: (line) => console.log(`[chaos] ${line}`),
    });
    console.log(JSON.stringify({ suite: 'chaos-short', ...figures }));
    expect(chaosVerdict(figures)).toEqual([]);
    expect(figures.account.tables).toHaveLength(1);
    expect(figures.account.tables[0]!.rows).toBeGreaterThan(0);
    expect(figures.account.consumers[0]!.deadLettered).toBeGreaterThan(0);
  });
});
