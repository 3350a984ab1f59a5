/**
 * Compatibility modes and the check of a new schema version against the versions before it.
 *
 * The modes are Confluent's names (https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html);
 * AWS Glue Schema Registry has the same modes, spelling the transitive ones `_ALL`
 * (https://docs.aws.amazon.com/glue/latest/dg/schema-registry.html#schema-registry-compatibility):
 * - BACKWARD: consumers on the new schema read data written with the previous one (reader = new).
 * - FORWARD: consumers on the previous schema read data written with the new one (reader = previous).
 * - FULL: both. `_TRANSITIVE`: against every earlier version, not only the latest. NONE: no check.
 */
import { explainChange, mirrorChangeType } from './change-types.ts';
import { type Difference, diffSchemas } from './schema-diff.ts';
import type { SchemaDocument } from './schema-document.ts';

export const COMPATIBILITY_MODES = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;

export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

/** The platform default when neither the topic nor stratus.config.yaml sets one (Confluent's and Glue's default). */
export const DEFAULT_COMPATIBILITY: CompatibilityMode = 'BACKWARD';

/** The Glue Schema Registry spelling of a mode (`BACKWARD_TRANSITIVE` → `BACKWARD_ALL`). */
export function glueCompatibility(mode: CompatibilityMode): string {
  return mode.replace('_TRANSITIVE', '_ALL');
}

/** A Glue mode in Stratus' spelling; undefined for `DISABLED` (no new versions at all). */
export function fromGlueCompatibility(glue: string): CompatibilityMode | undefined {
  const mode = glue.replace('_ALL', '_TRANSITIVE');
  return (COMPATIBILITY_MODES as readonly string[]).includes(mode) ? (mode as CompatibilityMode) : undefined;
}

export type Direction = 'BACKWARD' | 'FORWARD';

/** An incompatible change, located and explained. */
export interface CompatibilityViolation {
  mode: CompatibilityMode;
  /** Which guarantee it breaks. */
  direction: Direction;
  /** The change type, named old → new (Confluent's vocabulary). */
  rule: string;
  /** The affected data path, `$.amount`. */
  dataPath: string;
  /** Where in the new schema document (JSON pointer keys; an ancestor when the location was removed). */
  newSchemaPath: readonly string[];
  /** Which earlier version it was compared with (1-based, oldest first; the latest is `versions`). */
  againstVersion: number;
  /** Why it breaks readers or writers. */
  why: string;
}

function directions(mode: CompatibilityMode): Direction[] {
  if (mode === 'NONE') return [];
  if (mode.startsWith('BACKWARD')) return ['BACKWARD'];
  if (mode.startsWith('FORWARD')) return ['FORWARD'];
  return ['BACKWARD', 'FORWARD'];
}

/**
 * Checks `candidate` against `history` (oldest first) under `mode`. Returns every incompatible change; empty
 * means the version may be registered.
 */
export function checkCompatibility(
  mode: CompatibilityMode,
  history: readonly SchemaDocument[],
  candidate: SchemaDocument,
): CompatibilityViolation[] {
  if (history.length === 0) return [];
  const against = mode.endsWith('_TRANSITIVE') ? history.map((_, i) => i) : [history.length - 1];
  const violations: CompatibilityViolation[] = [];
  for (const index of against) {
    const previous = history[index]!;
    for (const direction of directions(mode)) {
      const differences =
        direction === 'BACKWARD' ? diffSchemas(previous, candidate) : diffSchemas(candidate, previous);
      for (const difference of differences) {
        if (difference.compatible) continue;
        violations.push(toViolation(mode, direction, difference, index + 1));
      }
    }
  }
  return violations;
}

function toViolation(
  mode: CompatibilityMode,
  direction: Direction,
  difference: Difference,
  againstVersion: number,
): CompatibilityViolation {
  const rule = direction === 'BACKWARD' ? difference.type : mirrorChangeType(difference.type);
  const who =
    direction === 'BACKWARD'
      ? 'BACKWARD: consumers on the new schema (reader) cannot read records written with the previous one (writer)'
      : 'FORWARD: consumers still on the previous schema (reader) cannot read records written with the new one (writer)';
  return {
    mode,
    direction,
    rule,
    dataPath: difference.dataPath,
    newSchemaPath: direction === 'BACKWARD' ? difference.readerPath : difference.writerPath,
    againstVersion,
    why: `${who}; ${explainChange(difference.type)}`,
  };
}
