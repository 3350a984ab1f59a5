/**
 * Durations and sizes as teams write them in manifests ("500ms", "7d", "64MiB"), parsed to numbers.
 * Each parser returns a number or an error message; callers attach the file, line and field.
 */
import { quote } from './quote.ts';

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const SIZE_UNITS_BYTES: Record<string, number> = {
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1_024,
  mib: 1_048_576,
  gib: 1_073_741_824,
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** "500ms" | "30s" | "5m" | "1h" | "7d" | "2w" | a bare number of milliseconds. */
export function parseDuration(input: unknown): Parsed<number> {
  if (typeof input === 'number' && Number.isFinite(input) && input >= 0) return { ok: true, value: input };
  if (typeof input !== 'string') {
    return {
      ok: false,
      message: `expected a duration such as "500ms", "30s", "1h" or "7d", got ${describe(input)}`,
    };
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(input);
  if (!match) {
    return {
      ok: false,
      message: `${quote(input)} is not a duration; use a number and a unit: ms, s, m, h, d or w`,
    };
  }
  const unit = DURATION_UNITS_MS[match[2]!.toLowerCase()]!;
  return { ok: true, value: Math.round(Number(match[1]) * unit) };
}

/** "64MiB" | "5MB" | "512KiB" | a bare number of bytes. */
export function parseSize(input: unknown): Parsed<number> {
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0) return { ok: true, value: input };
  if (typeof input !== 'string') {
    return { ok: false, message: `expected a size such as "5MiB" or "512KiB", got ${describe(input)}` };
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)\s*$/i.exec(input);
  if (!match) {
    return {
      ok: false,
      message: `${quote(input)} is not a size; use a number and a unit: B, KB, MB, GB, KiB, MiB or GiB`,
    };
  }
  const unit = SIZE_UNITS_BYTES[match[2]!.toLowerCase()]!;
  return { ok: true, value: Math.round(Number(match[1]) * unit) };
}

/** Milliseconds back to the shortest exact manifest form, for messages and reports. */
export function formatDuration(ms: number): string {
  if (ms < 0) return 'infinite';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Bytes to a human size (binary units), for messages and reports. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1_073_741_824],
    ['MiB', 1_048_576],
    ['KiB', 1_024],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${unit}`;
  }
  return `${bytes}B`;
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quote(value);
  return `${typeof value} ${String(value)}`;
}
