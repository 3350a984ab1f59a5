/**
 * The precompiled validators a consumer's asset carries (lib/contracts/precompiled-validator-code.ts) must judge
 * every value exactly as Ajv compiling the schema at cold start would: same verdict, same violations, in the
 * same order. Checked on the repository's schemas, the fixture tenants' and odd ones users write (2020-12
 * keywords, `$ref`s, formats, Unicode lengths, `uniqueItems`, conditionals), with values built from each schema
 * and then broken at random. A validator made from another schema is never used.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compileValueValidator,
  manifestValueValidator,
  precompiledValueValidator,
} from '../../../functions/sdk/schema.ts';
import { writePrecompiledValidator } from '../../../lib/contracts/precompiled-validator-code.ts';
import { precompiledValidatorFile } from '../../../lib/core/precompiled-validator.ts';
import { paymentsOrders } from '../../../lib/local/demo/payments-orders.ts';
import { DemoRandom } from '../../../lib/local/demo/random.ts';
import { schemaSamples } from '../../../lib/local/demo/schema-sample.ts';

type Schema = Record<string, unknown>;
const REPO = path.resolve(import.meta.dirname, '../../..');
const schemaFilesIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.schema.json'))
    .map((file) => path.join(dir, file));

const ODD: Record<string, Schema> = {
  'draft 2020-12: $defs, prefixItems, unevaluatedProperties, dependentRequired': {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    $defs: { money: { type: 'object', properties: { amount: { type: 'number', exclusiveMinimum: 0 } } } },
    properties: {
      price: { $ref: '#/$defs/money' },
      pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
      card: { type: 'string' },
      cvc: { type: 'string', pattern: '^[0-9]{3,4}$' },
    },
    dependentRequired: { card: ['cvc'] },
    unevaluatedProperties: false,
  },
  'draft-07: formats, Unicode lengths, uniqueItems, if/then/else, patternProperties': {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['id', 'at'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      at: { type: 'string', format: 'date-time' },
      email: { type: 'string', format: 'email' },
      link: { type: 'string', format: 'uri' },
      name: { type: 'string', minLength: 2, maxLength: 4 },
      tags: { type: 'array', uniqueItems: true, items: { type: ['string', 'object'] } },
      kind: { enum: ['a', 'b', { nested: [1, 2] }] },
      level: { const: 3 },
    },
    patternProperties: { '^x-': { type: 'integer', multipleOf: 5 } },
    if: { properties: { kind: { const: 'a' } } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a promise
    then: { required: ['email'] },
    else: { not: { required: ['link'] } },
  },
  'anyOf and oneOf of objects, nullable fields': {
    oneOf: [
      { type: 'object', required: ['orderId'], properties: { orderId: { type: 'integer', minimum: 1 } } },
      { type: 'object', required: ['refundId'], properties: { refundId: { type: ['string', 'null'] } } },
    ],
    anyOf: [{ required: ['orderId'] }, { required: ['refundId'] }, { maxProperties: 0 }],
  },
};

const schemas: Array<[string, Schema]> = [
  ...[
    ...schemaFilesIn(path.join(REPO, 'schemas')),
    ...schemaFilesIn(path.join(REPO, 'test/fixtures/schemas')),
  ].map((file): [string, Schema] => [
    path.relative(REPO, file),
    JSON.parse(readFileSync(file, 'utf8')) as Schema,
  ]),
  ...Object.entries(ODD),
];

const ORDER_TITLE = (
  JSON.parse(readFileSync(path.join(REPO, 'schemas/payments/order.schema.json'), 'utf8')) as Schema
).title;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratus-precompiled-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes the schema and its precompiled validator as the CDK's bundling does; returns the schema's path. */
function bundled(name: string, schema: Schema): string {
  const file = path.join(scratch, `${name.replace(/\W+/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(schema));
  writePrecompiledValidator(file, schema);
  return file;
}

/** A sample of the schema, or one of its violations, then broken at one property (or not). */
const brokenValue = (schema: Schema) =>
  fc
    .record({
      seed: fc.integer(),
      violation: fc.boolean(),
      change: fc.option(
        fc.record({
          property: fc.constantFrom(
            'id',
            'at',
            'email',
            'link',
            'name',
            'tags',
            'kind',
            'orderId',
            'x-n',
            'pair',
          ),
          value: fc.oneof(
            fc.jsonValue(),
            fc.string({ unit: 'grapheme' }),
            fc.constantFrom(
              '2026-12-01T10:00:00Z',
              '2026-13-01',
              'a@b.c',
              'https://x/y',
              '😀😀😀',
              'ab',
              5,
              7.5,
            ),
            fc.constant(undefined),
          ),
        }),
      ),
    })
    .map(({ seed, violation, change }) => {
      // The orders schema's patterns are beyond the generic sampler: its hand-written demo generator meets them.
      const random = new DemoRandom(seed);
      const generator =
        schema.title === ORDER_TITLE ? paymentsOrders(random) : schemaSamples(random, schema, 't');
      const record = generator.next(0, violation ? 'schema-violation' : 'valid');
      const value = JSON.parse(record.value as string) as unknown;
      if (change && value && typeof value === 'object' && !Array.isArray(value)) {
        const object = value as Record<string, unknown>;
        if (change.value === undefined) delete object[change.property];
        else object[change.property] = change.value;
      }
      return value;
    });

describe('precompiled schema validators', () => {
  it.each(schemas)('%s: same violations as Ajv compiling the schema', (name, schema) => {
    const precompiled = precompiledValueValidator(bundled(name, schema), schema);
    expect(precompiled).toBeDefined();
    const compiled = compileValueValidator(schema);
    let invalid = 0;
    fc.assert(
      fc.property(fc.oneof(brokenValue(schema), fc.jsonValue()), (value) => {
        const expected = compiled(value);
        if (expected.length > 0) invalid++;
        expect(precompiled!(value)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    // Both verdicts were exercised, not only one.
    expect(invalid).toBeGreaterThan(0);
    expect(invalid).toBeLessThan(300);
  });

  it('is ignored when it was made from another schema; the schema is then compiled', () => {
    const [, order] = schemas.find(([name]) => name.endsWith('order.schema.json'))!;
    const file = bundled('stale', order);
    const changed = { ...order, required: [...((order.required as string[]) ?? []), 'addedLater'] };
    writeFileSync(file, JSON.stringify(changed));
    expect(precompiledValueValidator(file, changed)).toBeUndefined();
    // The fallback validates with the changed schema, not the stale file.
    expect(manifestValueValidator(changed, file)({})).toContain("/ must have required property 'addedLater'");
    rmSync(precompiledValidatorFile(file));
    expect(precompiledValueValidator(file, order)).toBeUndefined();
    // A damaged file is not loaded either: the function still starts, compiling the schema. (A new name:
    // require() caches what it loaded, as a container does.)
    const damaged = bundled('damaged', order);
    writeFileSync(precompiledValidatorFile(damaged), 'module.exports = function (');
    expect(precompiledValueValidator(damaged, order)).toBeUndefined();
    expect(manifestValueValidator(order, damaged)({})).toEqual(compileValueValidator(order)({}));
  });
});
