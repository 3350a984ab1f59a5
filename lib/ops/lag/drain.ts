/**
 * Rates and the drain estimate from two lag samples of the same group. Consumption rate is how fast the
 * group's position advanced, produce rate how fast the log end advanced; the lag only shrinks by their
 * difference, so the estimate is lag / (consume − produce). A group that is not gaining on its topic has no
 * finite estimate (null), rather than a huge number that looks like an answer.
 */

/** The totals of one group at one instant that rates are computed from. */
export interface GroupTotals {
  /** Epoch milliseconds of the sample. */
  sampledAt: number;
  /** Sum of the group's positions over all partitions. */
  positionSum: number;
  /** Sum of the log ends over all partitions. */
  logEndSum: number;
  /** Sum of the offset lags. */
  offsetLag: number;
}

export interface DrainEstimate {
  /** Records per second the group consumed between the samples. */
  consumeRate: number;
  /** Records per second produced to the topic between the samples. */
  produceRate: number;
  /** Seconds until the lag reaches zero at the current net rate; 0 when caught up; null when not draining. */
  etaSeconds: number | null;
}

/** Net rates below this (records/s) count as "not draining". */
export const MIN_DRAIN_RATE = 1e-3;

export function estimateDrain(previous: GroupTotals, current: GroupTotals): DrainEstimate {
  const seconds = (current.sampledAt - previous.sampledAt) / 1000;
  if (!(seconds > 0)) throw new Error('estimateDrain: the second sample must be later than the first');
  // A reset to an earlier offset (replay) makes the position go backwards: that is not negative consumption.
  const consumeRate = Math.max(0, current.positionSum - previous.positionSum) / seconds;
  const produceRate = Math.max(0, current.logEndSum - previous.logEndSum) / seconds;
  if (current.offsetLag === 0) return { consumeRate, produceRate, etaSeconds: 0 };
  const net = consumeRate - produceRate;
  return { consumeRate, produceRate, etaSeconds: net > MIN_DRAIN_RATE ? current.offsetLag / net : null };
}
