import type { ReplayWindow } from './plan.ts';

/**
 * Checks a replay window before anything touches the cluster; the problem as one sentence, or undefined.
 * A start in the future would reset every partition to its end: the consumer would skip what it has not
 * processed yet, the opposite of a replay.
 */
export function windowProblem(window: ReplayWindow, now: Date = new Date()): string | undefined {
  if (window.from.getTime() > now.getTime())
    return `--from ${window.from.toISOString()} is in the future (now ${now.toISOString()}); nothing to replay`;
  if (window.to && window.to.getTime() <= window.from.getTime())
    return `--to ${window.to.toISOString()} must be after --from ${window.from.toISOString()}`;
  return undefined;
}
