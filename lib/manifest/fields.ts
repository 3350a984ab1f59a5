import { quote } from '../core/quote.ts';
import { describe, parseDuration, parseSize } from '../core/units.ts';
import { didYouMean, type ManifestError } from './errors.ts';
import type { FieldPath, YamlSource } from './yaml-source.ts';

export type Mapping = Record<string, unknown>;

/**
 * Typed reads of manifest fields. Each read returns the value (or the default) and records a located
 * error instead of throwing, so one pass over a file reports every problem in it.
 */
export class FieldReader {
  constructor(
    readonly source: YamlSource,
    readonly errors: ManifestError[],
  ) {}

  fail(path: FieldPath, message: string, at: 'value' | 'key' = 'value'): undefined {
    this.errors.push(this.source.error(path, message, at));
    return undefined;
  }

  /** A mapping, or `undefined` (with an error unless it is optional and absent). */
  mapping(path: FieldPath, value: unknown, options: { optional?: boolean } = {}): Mapping | undefined {
    if (value === undefined || value === null) {
      return options.optional ? undefined : this.fail(path, 'is required and must be a mapping');
    }
    if (typeof value !== 'object' || Array.isArray(value))
      return this.fail(path, `must be a mapping, got ${describe(value)}`);
    return value as Mapping;
  }

  /** Reports every key of `mapping` that is not in `allowed`, with the closest allowed name. */
  onlyKeys(path: FieldPath, mapping: Mapping, allowed: readonly string[]): void {
    for (const key of Object.keys(mapping)) {
      if (!allowed.includes(key)) {
        this.fail([...path, key], `unknown field ${quote(key)}${didYouMean(key, allowed)}`, 'key');
      }
    }
  }

  string(
    path: FieldPath,
    value: unknown,
    options: { optional?: boolean; pattern?: RegExp; hint?: string } = {},
  ): string | undefined {
    if (value === undefined || value === null)
      return options.optional ? undefined : this.fail(path, 'is required');
    if (typeof value !== 'string') return this.fail(path, `must be a string, got ${describe(value)}`);
    if (options.pattern && !options.pattern.test(value)) {
      return this.fail(path, `${quote(value)} ${options.hint ?? `must match ${options.pattern}`}`);
    }
    return value;
  }

  integer(path: FieldPath, value: unknown, range: { min: number; max: number; fallback: number }): number;
  integer(
    path: FieldPath,
    value: unknown,
    range: { min: number; max: number; fallback?: undefined },
  ): number | undefined;
  integer(
    path: FieldPath,
    value: unknown,
    range: { min: number; max: number; fallback?: number },
  ): number | undefined {
    if (value === undefined || value === null) {
      return range.fallback ?? this.fail(path, `is required (an integer from ${range.min} to ${range.max})`);
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
      this.fail(path, `must be an integer from ${range.min} to ${range.max}, got ${describe(value)}`);
      return range.fallback;
    }
    return value;
  }

  boolean(path: FieldPath, value: unknown, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.fail(path, `must be true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(path: FieldPath, value: unknown, options: readonly T[], fallback: T): T {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !options.includes(value as T)) {
      const hint = typeof value === 'string' ? didYouMean(value, options) : '';
      this.fail(path, `must be one of ${options.join(', ')}, got ${describe(value)}${hint}`);
      return fallback;
    }
    return value as T;
  }

  /**
   * A duration in ms within [min, max]; with `infinite`, the value -1 (or "infinite") is accepted and
   * returned as -1, which is how AWS spells "no limit".
   */
  duration(
    path: FieldPath,
    value: unknown,
    limits: { min: number; max: number; fallback: number; infinite?: boolean; label?: string },
  ): number {
    if (value === undefined || value === null) return limits.fallback;
    if (limits.infinite && (value === -1 || value === '-1' || value === 'infinite')) return -1;
    const parsed = parseDuration(value);
    if (!parsed.ok) {
      this.fail(path, parsed.message + (limits.infinite ? ' (or -1 for no limit)' : ''));
      return limits.fallback;
    }
    if (parsed.value < limits.min || parsed.value > limits.max) {
      this.fail(
        path,
        `must be between ${limits.label ?? `${limits.min}ms and ${limits.max}ms`}, got ${quote(String(value))}`,
      );
      return limits.fallback;
    }
    return parsed.value;
  }

  size(
    path: FieldPath,
    value: unknown,
    limits: { min: number; max: number; fallback: number; label: string },
  ): number {
    if (value === undefined || value === null) return limits.fallback;
    const parsed = parseSize(value);
    if (!parsed.ok) {
      this.fail(path, parsed.message);
      return limits.fallback;
    }
    if (parsed.value < limits.min || parsed.value > limits.max) {
      this.fail(path, `must be between ${limits.label}, got ${quote(String(value))}`);
      return limits.fallback;
    }
    return parsed.value;
  }

  stringList(path: FieldPath, value: unknown, options: { pattern?: RegExp; hint?: string } = {}): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.fail(path, `must be a list, got ${describe(value)}`);
      return [];
    }
    return value.flatMap((item, index) => this.string([...path, index], item, options) ?? []);
  }
}
