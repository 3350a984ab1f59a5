/** Text forms of `stratus dlq list`, `show` and `redrive`. */
import { recordCoordinate } from '../../core/record-coordinate.ts';
import type { DlqEntry } from './entry.ts';
import { errorClassOf } from './entry.ts';
import type { LedgerEntry } from './ledger.ts';
import type { DlqListing } from './list.ts';
import type { RedriveOutcome } from './redrive.ts';
import type { FailureExplanation } from './why.ts';

/** `42s`, `12m`, `3h`, `2d`: how long ago. */
export function formatAge(sinceMs: number, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - sinceMs) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

function table(rows: string[][]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0, ' '))
      .join('  ')
      .trimEnd(),
  );
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function status(entry: DlqEntry & { redriven?: LedgerEntry }): string {
  if (entry.redriven) return `redriven ${entry.redriven.redrivenAt}`;
  return entry.envelope ? 'in DLQ' : `unreadable: ${entry.problem}`;
}

export function renderDlqListing(listing: DlqListing, now: number = Date.now()): string {
  const lines = [`${listing.topic}: ${listing.entries.length} of ${listing.total} records match`];
  if (listing.entries.length === 0) return lines.join('\n');
  lines.push(
    ...table([
      ['id', 'age', 'consumer', 'reason', 'error', 'source', 'attempts', 'redrives', 'status'],
      ...listing.entries.map((entry) => {
        const envelope = entry.envelope;
        return [
          entry.id,
          formatAge(entry.timestamp, now),
          envelope?.consumer ?? '-',
          envelope?.reason ?? '-',
          truncate(`${errorClassOf(entry)}: ${envelope?.error.message ?? ''}`, 60),
          envelope
            ? recordCoordinate(envelope.source.topic, envelope.source.partition, envelope.source.offset)
            : '-',
          String(envelope?.attempts ?? '-'),
          String(entry.redriveCount),
          status(entry),
        ];
      }),
    ]),
  );
  lines.push(
    `By error class: ${listing.countsByErrorClass.map(({ errorClass, count }) => `${errorClass} ${count}`).join(', ')}`,
  );
  return lines.join('\n');
}

/** A value as readable as it gets: parsed JSON, else UTF-8 text, else base64 as stored. */
export function decodeBase64Value(base64: string | null): unknown {
  if (base64 === null) return null;
  const bytes = Buffer.from(base64, 'base64');
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    const decoded = text.decode(bytes);
    try {
      return JSON.parse(decoded) as unknown;
    } catch {
      return decoded;
    }
  } catch {
    return { base64 };
  }
}

/** One envelope with its key and value decoded, pretty-printed; the JSON form of `dlq show`. */
export function showDlqEntry(entry: DlqEntry & { redriven?: LedgerEntry }): Record<string, unknown> {
  const envelope = entry.envelope;
  return {
    id: entry.id,
    dlqTopic: entry.topic,
    deadLetteredAt: new Date(entry.timestamp).toISOString(),
    status: status(entry),
    redriveCount: entry.redriveCount,
    ...(entry.redriven ? { redriven: entry.redriven } : {}),
    ...(envelope
      ? {
          envelope: {
            ...envelope,
            record: {
              key: envelope.record.key === null ? null : decodeBase64Value(envelope.record.key),
              value: decodeBase64Value(envelope.record.value),
              headers: envelope.record.headers,
            },
          },
        }
      : { problem: entry.problem, headers: entry.headers }),
  };
}

export function renderRedrive(outcome: RedriveOutcome): string {
  const lines: string[] = [];
  for (const decision of outcome.decisions) {
    const source = decision.entry.envelope?.source.topic ?? '?';
    if (decision.action === 'redrive')
      lines.push(
        `${outcome.dryRun ? 'would redrive' : 'redriven'}  ${decision.entry.id} → ${source}${decision.target ? `/${decision.target.partition}@${decision.target.offset}` : ''} (redrive-count ${decision.redriveCount})`,
      );
    else lines.push(`stays        ${decision.entry.id}: ${decision.reason}`);
  }
  lines.push(
    `${outcome.dryRun ? 'Dry run: would redrive' : 'Redrove'} ${outcome.redriven} record${outcome.redriven === 1 ? '' : 's'}; ${outcome.skipped} stay${outcome.skipped === 1 ? 's' : ''} in the DLQ.${outcome.dryRun ? ' Nothing was changed.' : ''}`,
  );
  return lines.join('\n');
}

/** The "why" of `dlq show` and `dlq list --verbose`, one block per entry. */
export function renderExplanation(explanation: FailureExplanation | undefined, indent = '  '): string[] {
  if (!explanation) return [];
  if (explanation.kind === 'in-envelope') return [`${indent}${explanation.note}`];
  if (explanation.kind === 'not-found')
    return [`${indent}no handler error logged for this record was found in ${explanation.searched}`];
  const { error } = explanation;
  const frames = error.stack.slice(1);
  return [
    `${indent}last handler error: ${error.class}: ${error.message}`,
    ...frames.slice(0, 3).map((frame) => `${indent}    ${frame}`),
    `${indent}logged ${error.at}${error.requestId ? ` by request ${error.requestId}` : ''} in ${error.foundIn}`,
  ];
}

export function renderDlqExplanations(
  entries: ReadonlyArray<{ id: string; why?: FailureExplanation }>,
): string {
  const lines = ["Why (the handler's last error, from the function logs):"];
  for (const entry of entries) {
    if (!entry.why) continue;
    lines.push(`  ${entry.id}`, ...renderExplanation(entry.why, '    '));
  }
  return lines.join('\n');
}
