/** The human form of a demo summary (the JSON form is the DemoSummary object itself). */
import type { DemoSummary } from './run-demo.ts';
import type { DemoRecordKind } from './types.ts';

const KIND_LABEL: Record<DemoRecordKind, string> = {
  valid: 'valid',
  'bad-json': 'bad JSON',
  'schema-violation': 'schema violations',
  'handler-failure': 'handler failures',
};

export function formatDemoSummary(summary: DemoSummary): string[] {
  const produced = Object.values(summary.produced).reduce((a, b) => a + b, 0);
  const lines = [
    `${produced} records produced to ${Object.keys(summary.produced).length} source topics (${summary.eventsPerSourceTopic} each); consumers drained in ${(summary.drainMs / 1000).toFixed(1)}s (${(summary.durationMs / 1000).toFixed(1)}s with the sinks' accounting), ${summary.recordsPerSecond} records/s through the consumers${summary.namespaced ? ` (run ${summary.runId}, tenants suffixed -${summary.runId})` : ''}`,
    '',
  ];
  // Only consumers without an on-failure destination discard: the column is shown when one did.
  const anyDiscarded = summary.tenants.some((t) => t.consumers.some((c) => c.discarded > 0));
  const rows: string[][] = [
    [
      'consumer',
      'input',
      'delivered',
      'outputs',
      'dropped',
      'dead-lettered',
      'filtered',
      ...(anyDiscarded ? ['discarded'] : []),
      'lost',
      'duplicates',
      'misrouted',
    ],
  ];
  for (const tenant of summary.tenants) {
    for (const c of tenant.consumers) {
      rows.push([
        c.consumer,
        String(c.input),
        String(c.delivered),
        c.output ? String(c.outputs) : '-',
        String(c.dropped),
        String(c.deadLettered),
        String(c.filtered),
        ...(anyDiscarded ? [String(c.discarded)] : []),
        String(c.lost),
        String(c.duplicates),
        String(c.misrouted),
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows)
    lines.push(
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    );

  const sinkRows: string[][] = [['sink', 'format', 'records', 'rows (pyiceberg)', 'lost', 'duplicates']];
  for (const tenant of summary.tenants)
    for (const sink of tenant.sinks)
      sinkRows.push([
        sink.sink,
        sink.format,
        String(sink.records),
        sink.rows === null ? 'unread' : String(sink.rows),
        String(sink.lost),
        String(sink.duplicates),
      ]);
  if (sinkRows.length > 1) {
    lines.push('');
    const w = sinkRows[0]!.map((_, i) => Math.max(...sinkRows.map((row) => row[i]!.length)));
    for (const row of sinkRows)
      lines.push(row.map((cell, i) => (i < 2 ? cell.padEnd(w[i]!) : cell.padStart(w[i]!))).join('  '));
  }

  lines.push('');
  for (const tenant of summary.tenants) {
    for (const c of tenant.consumers) {
      if (!c.byKind) continue;
      const parts = (
        Object.entries(c.byKind) as [DemoRecordKind, NonNullable<typeof c.byKind>[DemoRecordKind]][]
      )
        .filter(([kind]) => kind !== 'valid')
        .map(
          ([kind, k]) =>
            `${KIND_LABEL[kind]} ${k!.produced} → DLQ ${k!.deadLettered}, filtered ${k!.filtered}, delivered ${k!.delivered}${k!.dropped > 0 ? `, dropped ${k!.dropped}` : ''}${k!.discarded > 0 ? `, discarded ${k!.discarded}` : ''}`,
        );
      if (parts.length > 0) lines.push(`poison in ${c.topic}: ${parts.join('; ')}`);
      if (c.lostSamples.length > 0) lines.push(`  lost in ${c.topic}, e.g. ${c.lostSamples.join(', ')}`);
      if (c.duplicateSamples.length > 0)
        lines.push(`  duplicated in ${c.topic}, e.g. ${c.duplicateSamples.join(', ')}`);
      if (c.misroutedSamples.length > 0)
        lines.push(`  misrouted in ${c.topic}, e.g. ${c.misroutedSamples.join(', ')}`);
    }
  }
  if (summary.error) lines.push(`! ${summary.error}`);
  lines.push(
    summary.ok
      ? `✓ every record accounted for: lost 0, duplicates 0${summary.dropped > 0 ? ` (dropped by handlers on purpose: ${summary.dropped})` : ''}${summary.misrouted > 0 ? ` (misrouted ${summary.misrouted}: valid records in the DLQ or poison delivered; see the README)` : ''}`
      : `✗ lost ${summary.lost}, duplicates ${summary.duplicates}`,
  );
  return lines;
}
