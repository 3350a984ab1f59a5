/** Several event-source observers as one (metrics and a test's own, say); each callback reaches every one. */
import type { EventSourceObserver } from './event-source/index.ts';

export function combineObservers(
  ...observers: (EventSourceObserver | undefined)[]
): EventSourceObserver | undefined {
  const present = observers.filter((o): o is EventSourceObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  const each =
    <K extends keyof EventSourceObserver>(key: K) =>
    (info: Parameters<NonNullable<EventSourceObserver[K]>>[0]) => {
      for (const observer of present) (observer[key] as ((i: typeof info) => void) | undefined)?.(info);
    };
  return {
    onBatch: each('onBatch'),
    onInvocation: each('onInvocation'),
    onFiltered: each('onFiltered'),
    onDeadLettered: each('onDeadLettered'),
    onCommitted: each('onCommitted'),
    onError: each('onError'),
  };
}
