/** How numbers read on the pages. */

/** `0 s`, `42 s`, `3.5 min`, `2.1 h`; an em dash when unknown. */
export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value < 120) return `${value < 10 ? value.toFixed(1) : Math.round(value)} s`;
  if (value < 7200) return `${(value / 60).toFixed(1)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

export function count(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en');
}

export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en')}/s`;
}

export function clock(epochMs: number): string {
  return epochMs ? new Date(epochMs).toLocaleTimeString('en-GB') : '—';
}
