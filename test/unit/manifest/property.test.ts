import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ManifestError } from '../../../lib/manifest/errors.ts';
import { resolvePlatform } from '../../../lib/manifest/platform-config.ts';
import { resolveTenant } from '../../../lib/manifest/tenant.ts';
import { YamlSource } from '../../../lib/manifest/yaml-source.ts';
import { loadProject, VALID_TENANT } from './fixture.ts';

// One project on disk for the handler and schema files the manifests point at; manifests are loaded in memory.
const { rootDir } = loadProject();

function load(text: string): { errors: ManifestError[]; resolved: boolean } {
  const errors: ManifestError[] = [];
  const platform = resolvePlatform(undefined, rootDir, errors);
  const source = new YamlSource('tenants/fuzz.yaml', text);
  errors.push(...source.errors);
  const tenant = source.errors.length === 0 ? resolveTenant(source, platform, errors) : undefined;
  return { errors, resolved: tenant !== undefined && errors.length === 0 };
}

/** Either a clean resolve, or at least one error, every one located and (unless the YAML itself is broken) named. */
function assertWellFormed(text: string): void {
  const { errors, resolved } = load(text);
  if (resolved) return;
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.file).toBe('tenants/fuzz.yaml');
    expect(Number.isInteger(error.line) && error.line >= 1).toBe(true);
    expect(Number.isInteger(error.col) && error.col >= 1).toBe(true);
    expect(error.message.length).toBeGreaterThan(0);
    if (!error.message.startsWith('YAML:')) {
      const top = parseOrUndefined(text);
      // Only a document that is not a mapping at all is reported against the whole file.
      if (typeof top === 'object' && top !== null && !Array.isArray(top)) expect(error.path).not.toBe('');
    }
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

const VALID_OBJECT = parse(VALID_TENANT) as Record<string, unknown>;

/** Every path into the valid manifest, so mutations land on real fields as well as new ones. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => paths(child, [...prefix, key]))];
}
const FIELD_PATHS = paths(VALID_OBJECT).filter((p) => p.length > 0);

function setAt(target: Record<string, unknown>, path: string[], value: unknown, remove: boolean): void {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return;
    node = next as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
}

const interestingValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    -1,
    0,
    1,
    10_001,
    1.5,
    '',
    'dlq',
    'orders',
    '7d',
    '1 day',
    '64MiB',
    'TRIM_HORIZON',
    '2999-01-01T00:00:00Z',
    null,
    [],
    {},
  ),
);

describe('the loader never crashes and always explains itself', () => {
  it('on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), assertWellFormed), { numRuns: 1000 });
  });

  it('on the valid manifest with fields replaced or removed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), interestingValue, fc.boolean()), {
          minLength: 1,
          maxLength: 4,
        }),
        (mutations) => {
          const manifest = structuredClone(VALID_OBJECT);
          for (const [path, value, remove] of mutations) setAt(manifest, path, value, remove);
          assertWellFormed(stringify(manifest));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('on the valid manifest text with lines dropped, repeated or garbled', () => {
    const lines = VALID_TENANT.split('\n');
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(lines.length - 1),
            fc.constantFrom('drop', 'repeat', 'garble'),
            fc.string({ maxLength: 8 }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        (edits) => {
          const edited = [...lines];
          for (const [index, kind, noise] of edits) {
            const at = Math.min(index, edited.length - 1);
            if (kind === 'drop') edited.splice(at, 1);
            else if (kind === 'repeat') edited.splice(at, 0, edited[at] ?? '');
            else edited[at] = `${(edited[at] ?? '').slice(0, 6)}${noise}`;
          }
          assertWellFormed(edited.join('\n'));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
