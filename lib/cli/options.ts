import { InvalidArgumentError } from 'commander';
import { TENANT_NAME_PATTERN } from '../core/naming.ts';

/** `--tenants a,b`: a comma-separated list of tenant names. */
export function tenantList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new InvalidArgumentError('give at least one tenant name, e.g. --tenants payments,clickstream');
  for (const name of names) {
    if (!TENANT_NAME_PATTERN.test(name))
      throw new InvalidArgumentError(`"${name}" is not a valid tenant name`);
  }
  return names;
}

/** A positive integer flag such as `--events 2000`. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return number;
}

/** A positive number flag such as `--rate 50.5`. */
export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return number;
}

/** An ISO 8601 time with a zone, such as `2026-11-24T10:00:00Z`. */
export function isoTime(value: string): Date {
  const ok =
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value));
  if (!ok)
    throw new InvalidArgumentError(
      `"${value}" is not an ISO 8601 time with a zone, e.g. 2026-11-24T10:00:00Z`,
    );
  return new Date(value);
}
