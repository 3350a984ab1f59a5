/** Which DLQ records a `list` or `redrive` acts on: by consumer, by age, by `--filter key=value`. */
import { OpsError } from '../shared/errors.ts';
import { type DlqEntry, errorClassOf } from './entry.ts';

export interface DlqFilter {
  /** Consumer key (`enrich-orders`). */
  consumer?: string;
  /** Only records dead-lettered at or after this time. */
  since?: Date;
  /** `error=<class>`, `reason=<REASON>`, `topic=<source topic>`: every one must match. */
  match?: Array<{ field: DlqFilterField; value: string }>;
  /** Only these records (`<partition>:<offset>`): a selection made in the portal. */
  ids?: readonly string[];
}

export const DLQ_FILTER_FIELDS = ['error', 'reason', 'topic'] as const;
export type DlqFilterField = (typeof DLQ_FILTER_FIELDS)[number];

/** `--filter error=TypeError` → { field: 'error', value: 'TypeError' }. */
export function parseDlqFilter(text: string): { field: DlqFilterField; value: string } {
  const eq = text.indexOf('=');
  const field = text.slice(0, eq) as DlqFilterField;
  const value = text.slice(eq + 1);
  if (eq <= 0 || !value || !DLQ_FILTER_FIELDS.includes(field))
    throw new OpsError(
      `--filter "${text}" is not one of ${DLQ_FILTER_FIELDS.map((f) => `${f}=<value>`).join(', ')}`,
    );
  return { field, value };
}

export function matchesDlqFilter(entry: DlqEntry, filter: DlqFilter): boolean {
  if (filter.consumer !== undefined && entry.envelope?.consumer !== filter.consumer) return false;
  if (filter.since && entry.timestamp < filter.since.getTime()) return false;
  if (filter.ids && !filter.ids.includes(entry.id)) return false;
  for (const { field, value } of filter.match ?? []) {
    const actual =
      field === 'error'
        ? errorClassOf(entry)
        : field === 'reason'
          ? entry.envelope?.reason
          : entry.envelope?.source.topic;
    if (actual !== value) return false;
  }
  return true;
}

/** Counts by error class, largest first. */
export function countByErrorClass(entries: DlqEntry[]): Array<{ errorClass: string; count: number }> {
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(errorClassOf(entry), (counts.get(errorClassOf(entry)) ?? 0) + 1);
  return [...counts]
    .map(([errorClass, count]) => ({ errorClass, count }))
    .sort((a, b) => b.count - a.count || a.errorClass.localeCompare(b.errorClass));
}
