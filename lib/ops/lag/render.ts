/** `stratus lag` output: a table a person reads, and the JSON a script reads. */
import type { GroupLagWithRates } from '../lag.ts';

/** 42 → "42s", 125 → "2m05s", 7300 → "2h01m"; null → "?". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '?';
  if (seconds < 10) return `${Math.round(seconds * 10) / 10}s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  if (whole < 86_400) return `${Math.floor(whole / 3600)}h${pad(Math.floor((whole % 3600) / 60))}m`;
  return `${Math.floor(whole / 86_400)}d${pad(Math.floor((whole % 86_400) / 3600))}h`;
}

function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : String(Math.round(rate * 10) / 10);
}

function eta(group: GroupLagWithRates): string {
  if (group.offsetLag === 0) return 'caught up';
  return group.etaSeconds === null ? 'not draining' : formatSeconds(group.etaSeconds);
}

/** One row per group (and, with `partitions`, one indented row per lagging partition). */
export function renderLagTable(groups: GroupLagWithRates[], options: { partitions?: boolean } = {}): string {
  const header = [
    'GROUP',
    'TOPIC',
    'PARTITIONS',
    'OFFSET LAG',
    'TIME LAG',
    'RATE/S',
    'PRODUCED/S',
    'ETA',
    'STATE',
  ];
  const rows: string[][] = [];
  for (const group of groups) {
    if (group.error) {
      rows.push([group.target.groupId, group.target.topic, '', '', '', '', '', '', `error: ${group.error}`]);
      continue;
    }
    rows.push([
      group.target.groupId,
      group.target.topic,
      String(group.partitions.length),
      String(group.offsetLag),
      formatSeconds(group.timeLagSeconds),
      formatRate(group.consumeRate),
      formatRate(group.produceRate),
      eta(group),
      `${group.state} (${group.members} member${group.members === 1 ? '' : 's'})`,
    ]);
    if (!options.partitions) continue;
    for (const partition of group.partitions) {
      rows.push([
        `  partition ${partition.partition}`,
        `${partition.position}/${partition.logEnd}`,
        '',
        String(partition.offsetLag),
        formatSeconds(partition.timeLagSeconds),
        '',
        '',
        '',
        partition.committed === null ? 'no commit yet' : '',
      ]);
    }
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column >= 2 && column <= 7 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The JSON form: every group with its partitions, rates and estimate; times in seconds, ISO sample time. */
export function lagJson(groups: GroupLagWithRates[], brokers: string[], intervalSeconds: number) {
  return {
    brokers,
    intervalSeconds,
    groups: groups.map((group) => ({
      tenant: group.target.tenant,
      consumer: group.target.consumer,
      groupId: group.target.groupId,
      topic: group.target.topic,
      state: group.state,
      members: group.members,
      ...(group.error ? { error: group.error } : {}),
      sampledAt: new Date(group.sampledAt).toISOString(),
      offsetLag: group.offsetLag,
      maxOffsetLag: group.maxOffsetLag,
      timeLagSeconds: group.timeLagSeconds,
      consumeRate: group.consumeRate,
      produceRate: group.produceRate,
      etaSeconds: group.etaSeconds,
      partitions: group.partitions.map((partition) => ({
        partition: partition.partition,
        committed: partition.committed,
        position: partition.position,
        logStart: partition.logStart,
        logEnd: partition.logEnd,
        offsetLag: partition.offsetLag,
        nextRecordTimestamp:
          partition.nextRecordTimestamp === null
            ? null
            : new Date(partition.nextRecordTimestamp).toISOString(),
        timeLagSeconds: partition.timeLagSeconds,
      })),
    })),
  };
}
