/**
 * How much a running total grew over the last window: CloudWatch's Sum over a period, computed from
 * snapshots of a counter. Used for the error-rate and DLQ alarms.
 */
export class CounterWindow {
  readonly #points: { at: number; value: number }[] = [];

  /** @param windowMs length of the window (the alarm's period). */
  constructor(readonly windowMs: number) {}

  /** Adds a snapshot; snapshots must come in time order. */
  record(value: number, at = Date.now()): void {
    this.#points.push({ at, value });
    // Keep exactly one snapshot at or before the window's start, so the increase spans the whole window.
    while (this.#points.length > 2 && this.#points[1]!.at <= at - this.windowMs) this.#points.shift();
  }

  /** Growth from the oldest snapshot in the window to the newest; undefined with fewer than two snapshots. */
  increase(): number | undefined {
    if (this.#points.length < 2) return undefined;
    const first = this.#points[0]!;
    const last = this.#points[this.#points.length - 1]!;
    // A counter that went down was reset (a restarted consumer): count what happened since.
    return last.value >= first.value ? last.value - first.value : last.value;
  }
}
