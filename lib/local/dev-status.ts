/**
 * The live status of `stratus dev`: per consumer records/s, lag, errors and dead letters, sampled once a
 * second. Rates come from the event-source emulator's counters, lag from Kafka (group offsets vs log end).
 */
import type { Admin } from 'kafkajs';
import type { ConsumerRunner } from './consumer-runner.ts';
import { consumerLag } from './demo/drain.ts';
import type { DlqWatcher } from './dlq-watcher.ts';

export interface ConsumerStatus {
  consumer: string;
  state: string;
  /** Records settled per second since the previous sample. */
  perSecond: number;
  /** Records settled since start. */
  settled: number;
  lag: number;
  filtered: number;
  /** Failed invocations since start. */
  errors: number;
  /** Dead letters since start (SDK and on-failure destination). */
  dlq: number;
}

export class StatusSampler {
  #previous = new Map<string, { at: number; settled: number }>();

  constructor(
    private readonly admin: Admin,
    private readonly consumers: readonly ConsumerRunner[],
    private readonly dlq: DlqWatcher | undefined,
  ) {}

  async sample(): Promise<ConsumerStatus[]> {
    const { lag } = await consumerLag(
      this.admin,
      this.consumers.map((c) => c.spec),
    ).catch(() => ({ lag: {} as Record<string, number> }));
    const now = performance.now();
    return this.consumers.map((runner) => {
      const stats = runner.stats();
      const group = runner.spec.groupId;
      const settled = stats.recordsDelivered + stats.recordsFiltered + stats.recordsDeadLettered;
      const previous = this.#previous.get(group);
      this.#previous.set(group, { at: now, settled });
      const perSecond = previous ? ((settled - previous.settled) * 1000) / Math.max(1, now - previous.at) : 0;
      return {
        consumer: group,
        state: stats.state,
        perSecond,
        settled,
        lag: lag[group] ?? Number.NaN,
        filtered: stats.recordsFiltered,
        errors: stats.failedInvocations,
        dlq: this.dlq?.counts().get(group) ?? stats.recordsDeadLettered,
      };
    });
  }
}

/** The status as a table, one row per consumer. */
export function formatStatusTable(rows: readonly ConsumerStatus[], header: string): string[] {
  const table: string[][] = [['consumer', 'state', 'rec/s', 'lag', 'settled', 'filtered', 'errors', 'DLQ']];
  for (const row of rows)
    table.push([
      row.consumer,
      row.state,
      row.perSecond.toFixed(1),
      Number.isNaN(row.lag) ? '?' : String(row.lag),
      String(row.settled),
      String(row.filtered),
      String(row.errors),
      String(row.dlq),
    ]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return [
    header,
    ...table.map((r) =>
      r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    ),
  ];
}

/** One line for logs and non-terminals. */
export function formatStatusLine(rows: readonly ConsumerStatus[]): string {
  return rows
    .map(
      (row) =>
        `${row.consumer} ${row.state} ${row.perSecond.toFixed(1)} rec/s lag ${Number.isNaN(row.lag) ? '?' : row.lag} errors ${row.errors} dlq ${row.dlq}`,
    )
    .join(' | ');
}
