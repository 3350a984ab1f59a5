/** The chaos suite's two sizes and what makes a run pass. */
import type { ChaosFigures, ChaosOptions } from './chaos.ts';

export const CHAOS_PROFILES = {
  /** `npm run chaos`: what the issue asks for. */
  full: { devKills: 20, maxRunMs: 25_000, brokerKills: 1, emulatorKills: 1, stormMs: 60_000, rate: 20 },
  /** Inside `npm test`: a few kills of each kind, a short storm. */
  short: { devKills: 2, maxRunMs: 8_000, brokerKills: 1, emulatorKills: 1, stormMs: 8_000, rate: 20 },
} satisfies Record<string, Omit<ChaosOptions, 'say' | 'seed'>>;

/** What is wrong with a run; empty when it passed. */
export function chaosVerdict(figures: ChaosFigures): string[] {
  const problems: string[] = [];
  if (figures.account.lost > 0) problems.push(`${figures.account.lost} record(s) lost`);
  if (figures.account.duplicateRows > 0)
    problems.push(`${figures.account.duplicateRows} duplicate row(s) in tables with unique keys`);
  if (figures.account.misrouted > 0)
    problems.push(
      `${figures.account.misrouted} record(s) misrouted (valid ones dead-lettered or poison delivered)`,
    );
  if (figures.leftoverProcesses > 0) problems.push(`${figures.leftoverProcesses} process(es) left behind`);
  return problems;
}
