import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { TENANT_NAME_PATTERN } from '../../../lib/core/naming.ts';
import { formatManifestError, type ManifestError } from '../../../lib/manifest/errors.ts';
import { loadStratus } from '../../../lib/manifest/load.ts';
import { resolvePlatform } from '../../../lib/manifest/platform-config.ts';
import { resolveTenant } from '../../../lib/manifest/tenant.ts';
import { YamlSource } from '../../../lib/manifest/yaml-source.ts';
import { loadProject, VALID_TENANT } from './fixture.ts';

// One project on disk for the handler and schema files the manifests point at; manifests are loaded in memory
// (or, for the properties across files, rewritten in its tenants directory).
const { rootDir } = loadProject();
afterAll(() => rmSync(rootDir, { recursive: true, force: true }));

/** C0 and C1 controls, DEL and the bidirectional overrides: none may reach a message unescaped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

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
    expect(formatManifestError(error)).not.toMatch(RAW_CONTROL);
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
    'ice\nberg',
    '\u001b[31morders\u0007',
    'or\u202eders',
    null,
    [],
    {},
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
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

/** An error as a reader sees it: where, which field, what. */
const shown = (error: ManifestError) =>
  `${error.file}:${error.line}:${error.col} ${error.path} ${error.message}`;

/** The valid manifest with up to four fields replaced or removed, never the tenant name. */
const mutatedManifest = fc
  .array(
    fc.tuple(
      fc.constantFrom(...FIELD_PATHS.filter((p) => p[0] !== 'tenant')),
      interestingValue,
      fc.boolean(),
    ),
    { maxLength: 4 },
  )
  .map((mutations) => {
    const manifest = structuredClone(VALID_OBJECT);
    for (const [path, value, remove] of mutations) setAt(manifest, path, value, remove);
    return stringify(manifest);
  });

/** Anything `tenant:` may hold that is not a tenant name, as a one-line YAML scalar. */
const invalidTenantName = fc
  .oneof(
    fc.string({ maxLength: 40 }).filter((name) => !TENANT_NAME_PATTERN.test(name)),
    fc.string({ unit: 'binary', maxLength: 8 }).filter((name) => !TENANT_NAME_PATTERN.test(name)),
    fc.constantFrom('Bad_Name', 'x', '', '-shop', 'shop!', 'a'.repeat(32)),
    fc.integer(),
    fc.boolean(),
  )
  .map((name) => JSON.stringify(name));

function withTenantLine(text: string, scalar: string): string {
  expect(text.startsWith('tenant: shop\n')).toBe(true);
  // A function, not a string: a replacement string would read `$&` in the generated name as a pattern.
  return text.replace(/^tenant: shop\n/, () => `tenant: ${scalar}\n`);
}

describe('every error of a file is reported, whatever else is wrong with it', () => {
  it("an invalid tenant name hides none of the file's other errors", () => {
    fc.assert(
      fc.property(mutatedManifest, invalidTenantName, (text, name) => {
        const valid = load(text).errors.filter((e) => e.path !== 'tenant');
        const invalid = load(withTenantLine(text, name)).errors;
        expect(invalid.some((e) => e.path === 'tenant')).toBe(true);
        // The name's validity changes nothing else: the same errors, at the same places, with the same words.
        expect(
          invalid
            .filter((e) => e.path !== 'tenant')
            .map(shown)
            .sort(),
        ).toEqual(valid.map(shown).sort());
      }),
      { numRuns: 500 },
    );
  });

  it("other broken manifests beside it hide none of a file's errors, and add none but a clash", () => {
    const tenantsDir = path.join(rootDir, 'tenants');
    const loadFiles = (files: Record<string, string>) => {
      rmSync(tenantsDir, { recursive: true, force: true });
      mkdirSync(tenantsDir);
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(tenantsDir, name), text);
      return loadStratus({ rootDir }).errors.filter((e) => e.file === 'tenants/b.yaml');
    };
    const tenantLine = fc.oneof(invalidTenantName, fc.constantFrom('shop', 'other', 'invalid'));
    fc.assert(
      fc.property(
        fc.tuple(mutatedManifest, tenantLine),
        fc.tuple(mutatedManifest, tenantLine),
        fc.tuple(mutatedManifest, tenantLine),
        ([a, aName], [b, bName], [c, cName]) => {
          const alone = loadFiles({ 'b.yaml': withTenantLine(b, bName) });
          const together = loadFiles({
            // Sorted around b.yaml, so each one's errors are in the list before and after b.yaml is checked.
            'a.yaml': withTenantLine(a, aName),
            'b.yaml': withTenantLine(b, bName),
            'c.yaml': withTenantLine(c, cName),
          });
          const clash = (e: ManifestError) => /is already declared in tenants\/a\.yaml/.test(e.message);
          expect(
            together
              .filter((e) => !clash(e))
              .map(shown)
              .sort(),
          ).toEqual(alone.map(shown).sort());
          // Only a valid name can clash, and only with a file that really declares it.
          if (together.some(clash)) expect(bName).toBe(aName);
          if (together.some(clash)) expect(TENANT_NAME_PATTERN.test(bName)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
