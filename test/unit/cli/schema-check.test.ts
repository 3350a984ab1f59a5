import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerTenantSchemas } from '../../../lib/local/schema-registry.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { runCli } from '../../support/cli.ts';

const ORDER = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['id', 'amount'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    amount: { type: 'number' },
    band: { enum: ['low', 'high'] },
  },
};

const TENANT = `tenant: shop
owners: [team@example.com]
topics:
  orders:
    schema: schemas/order.schema.json
  audit:
    schema: schemas/audit.schema.json
    compatibility: NONE
`;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A project in a fresh git repository: main has the first schemas, HEAD is a branch with `edit` applied. */
function project(edit?: (order: typeof ORDER) => unknown, options: { git?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-schema-'));
  mkdirSync(path.join(dir, 'tenants'));
  mkdirSync(path.join(dir, 'schemas'));
  writeFileSync(path.join(dir, 'tenants/shop.yaml'), TENANT);
  const write = (order: unknown) =>
    writeFileSync(path.join(dir, 'schemas/order.schema.json'), `${JSON.stringify(order, null, 2)}\n`);
  write(ORDER);
  writeFileSync(path.join(dir, 'schemas/audit.schema.json'), JSON.stringify({ type: 'object' }));
  if (options.git !== false) {
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
    git(dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'first');
    git(dir, 'checkout', '-q', '-b', 'feature');
  }
  if (edit) write(edit(structuredClone(ORDER)));
  return dir;
}

const lineOf = (dir: string, text: string) =>
  readFileSync(path.join(dir, 'schemas/order.schema.json'), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

describe('stratus schema check', () => {
  it('an incompatible change exits 1 with file:line, the JSON path, the rule and why', async () => {
    const dir = project((o) => ({ ...o, properties: { ...o.properties, band: { enum: ['low'] } } }));
    const { code, stderr } = await runCli(['schema', 'check'], dir);
    expect(code).toBe(1);
    const line = lineOf(dir, '"band"');
    expect(stderr).toMatch(
      new RegExp(
        `^schemas/order\\.schema\\.json:${line}:5  \\$\\.band  ENUM_ARRAY_NARROWED  \\(shop\\.orders, BACKWARD\\)  BACKWARD: consumers on the new schema`,
        'm',
      ),
    );
    expect(stderr).toMatch(/1 incompatible change in 1 topic \(against merge base with main/);
  });

  it('a removed required property is located at "properties" and breaks BACKWARD and FORWARD under FULL', async () => {
    const dir = project((o) => {
      const { amount: _, ...properties } = o.properties;
      return { ...o, required: ['id'], properties };
    });
    writeFileSync(
      path.join(dir, 'tenants/shop.yaml'),
      TENANT.replace(
        'schema: schemas/order.schema.json',
        'schema: schemas/order.schema.json\n    compatibility: FULL',
      ),
    );
    const { code, stdout } = await runCli(['schema', 'check', '--json'], dir);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as {
      topics: Array<{ topic: string; status: string; violations: Array<Record<string, unknown>> }>;
    };
    const orders = result.topics.find((t) => t.topic === 'shop.orders')!;
    expect(orders.status).toBe('incompatible');
    expect(orders.violations.map((v) => [v.direction, v.rule, v.dataPath, v.line])).toEqual([
      ['BACKWARD', 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', '$.amount', lineOf(dir, '"properties"')],
      [
        'FORWARD',
        'REQUIRED_PROPERTY_REMOVED_FROM_UNOPEN_CONTENT_MODEL',
        '$.amount',
        lineOf(dir, '"properties"'),
      ],
    ]);
  });

  it('a compatible change and a NONE topic exit 0; --against names another revision', async () => {
    const dir = project((o) => ({ ...o, properties: { ...o.properties, note: { type: 'string' } } }));
    writeFileSync(path.join(dir, 'schemas/audit.schema.json'), JSON.stringify({ type: 'string' }));
    const { code, stdout } = await runCli(['schema', 'check'], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/✓ shop\.orders .* BACKWARD: compatible/);
    expect(stdout).toMatch(/✓ shop\.audit .* NONE: compatible/);
    expect((await runCli(['schema', 'check', '--against', 'no-such-ref'], dir)).code).toBe(2);
    expect((await runCli(['schema', 'check', '--against', 'main', '--against-registry'], dir)).code).toBe(2);
  });

  it('outside a git repository it says there is nothing to compare and exits 0', async () => {
    const dir = project(undefined, { git: false });
    const { code, stdout } = await runCli(['schema', 'check'], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/no git base to compare with \(not a git repository\)/);
  });

  it('stratus validate reports incompatible changes against the merge base as located problems', async () => {
    const dir = project((o) => ({ ...o, properties: { ...o.properties, amount: { type: 'integer' } } }));
    const { code, stderr } = await runCli(['validate'], dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `schemas/order\\.schema\\.json:${lineOf(dir, '"amount": {')}:5  \\$\\.amount  TYPE_NARROWED`,
      ),
    );
  });
});

describe('the local schema registry', () => {
  it('registers versions, refuses an incompatible one, and --against-registry compares with it', async () => {
    const dir = project(undefined, { git: false });
    const spec = () => loadStratusOrThrow({ rootDir: dir });
    const first = await registerTenantSchemas(spec().platform, spec().tenants);
    expect(first.map((r) => [r.topic, r.result.outcome])).toEqual([
      ['shop.orders', 'created'],
      ['shop.audit', 'created'],
    ]);
    expect(
      (await registerTenantSchemas(spec().platform, spec().tenants)).map((r) => r.result.outcome),
    ).toEqual(['unchanged', 'unchanged']);

    // A compatible change (BACKWARD: an optional property in a closed model) becomes version 2.
    const v2 = { ...ORDER, properties: { ...ORDER.properties, note: { type: 'string' } } };
    writeFileSync(path.join(dir, 'schemas/order.schema.json'), JSON.stringify(v2, null, 2));
    expect((await registerTenantSchemas(spec().platform, spec().tenants))[0]!.result).toEqual({
      outcome: 'registered',
      versionNumber: 2,
    });

    // Narrowing a type is refused, and reported against registry version 2.
    writeFileSync(
      path.join(dir, 'schemas/order.schema.json'),
      JSON.stringify({ ...v2, properties: { ...v2.properties, amount: { type: 'integer' } } }, null, 2),
    );
    const refused = (await registerTenantSchemas(spec().platform, spec().tenants))[0]!.result;
    expect(refused.outcome).toBe('incompatible');
    const { code, stderr, stdout } = await runCli(['schema', 'check', '--against-registry'], dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(/\$\.amount {2}TYPE_NARROWED {2}\(shop\.orders, BACKWARD v2\)/);
    expect(stderr).toMatch(/against local registry/);
    expect(stdout).toMatch(/✓ shop\.audit .* unchanged \(local registry stratus-shop\/audit v1\)/);
  });
});
