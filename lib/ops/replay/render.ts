import type { ReplayPlan } from './plan.ts';

/** The plan as the table `stratus replay` shows before asking for confirmation. */
export function renderReplayPlan(plan: ReplayPlan, mode: string): string {
  const lines = [
    `Replay ${plan.groupId} (topic ${plan.topic}) from ${plan.from}${plan.to ? ` to ${plan.to}` : ''} — ${mode}`,
  ];
  const rows = [
    ['partition', 'committed', 'target', ...(plan.to ? ['end'] : []), 'records', ''],
    ...plan.partitions.map((partition) => [
      String(partition.partition),
      partition.committed ?? '-',
      partition.target,
      ...(plan.to ? [partition.end ?? '-'] : []),
      String(partition.records),
      partition.skipReason ? `(${partition.skipReason})` : '',
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows)
    lines.push(
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padStart(widths[column] ?? 0, ' ')))
        .join('  ')
        .trimEnd(),
    );
  lines.push(
    plan.records === 0
      ? 'Nothing to replay: no partition has processed records at or after the start time.'
      : `${plan.records} record${plan.records === 1 ? '' : 's'} will be processed again.`,
  );
  return lines.join('\n');
}
