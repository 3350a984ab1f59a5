import { describe, expect, it } from 'vitest';
import {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  checkCompatibility,
} from '../../../lib/contracts/compatibility.ts';
import type { SchemaDocument } from '../../../lib/contracts/schema-document.ts';
import { CORPUS, type Verdict } from './compatibility-corpus.ts';

const doc = (schema: unknown, file = 'schema.json'): SchemaDocument => ({ schema, file });

function rules(mode: CompatibilityMode, before: unknown, after: unknown): string[] {
  return checkCompatibility(mode, [doc(before, 'before.json')], doc(after, 'after.json')).map((v) => v.rule);
}

function expectVerdict(found: string[], verdict: Verdict): void {
  if (verdict === 'ok') expect(found).toEqual([]);
  else expect(found).toContain(verdict);
}

describe('JSON Schema compatibility corpus', () => {
  it('has at least 40 pairs, every incompatible one naming its rule', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  describe.each(CORPUS)('$name', (c) => {
    it(`BACKWARD: ${c.backward}`, () => expectVerdict(rules('BACKWARD', c.before, c.after), c.backward));
    it(`FORWARD: ${c.forward}`, () => expectVerdict(rules('FORWARD', c.before, c.after), c.forward));
    it('FULL: incompatible when either direction is', () => {
      const found = rules('FULL', c.before, c.after);
      if (c.backward === 'ok' && c.forward === 'ok') expect(found).toEqual([]);
      for (const verdict of [c.backward, c.forward]) if (verdict !== 'ok') expect(found).toContain(verdict);
    });
    it('NONE: always compatible', () => expect(rules('NONE', c.before, c.after)).toEqual([]));
    it('a schema is compatible with itself in every mode (unless it cannot be resolved)', () => {
      for (const mode of COMPATIBILITY_MODES.filter((m) => m !== 'NONE')) {
        const found = rules(mode, c.after, c.after);
        expect(found).toEqual(c.backward === 'REF_UNRESOLVED' ? found.map(() => 'REF_UNRESOLVED') : []);
      }
    });
  });
});

describe('transitive modes', () => {
  // v2 dropped an enum value while the subject was on NONE; v3 only adds a property.
  const v1 = { type: 'object', properties: { band: { enum: ['low', 'mid', 'high'] } } };
  const v2 = { type: 'object', properties: { band: { enum: ['low', 'high'] } } };
  const v3 = { type: 'object', properties: { band: { enum: ['low', 'high'] } }, required: [] };
  const history = [doc(v1, 'v1'), doc(v2, 'v2')];

  it('BACKWARD checks the latest version only', () => {
    expect(checkCompatibility('BACKWARD', history, doc(v3))).toEqual([]);
  });

  it('BACKWARD_TRANSITIVE checks every earlier version and says which one breaks', () => {
    const found = checkCompatibility('BACKWARD_TRANSITIVE', history, doc(v3));
    expect(found.map((v) => [v.rule, v.againstVersion, v.dataPath])).toEqual([
      ['ENUM_ARRAY_NARROWED', 1, '$.band'],
    ]);
  });

  it('FULL_TRANSITIVE checks both directions against every version', () => {
    const found = checkCompatibility('FULL_TRANSITIVE', history, doc(v3));
    expect(found.map((v) => `${v.direction}:${v.againstVersion}`).sort()).toEqual(['BACKWARD:1']);
  });
});

describe('explanations', () => {
  it('locates a removed required property and says whom it breaks', () => {
    const before = {
      type: 'object',
      properties: { amount: { type: 'number' }, id: { type: 'string' } },
      required: ['amount', 'id'],
      additionalProperties: false,
    };
    const after = { ...before, properties: { id: { type: 'string' } }, required: ['id'] };
    const [violation] = checkCompatibility('BACKWARD', [doc(before)], doc(after));
    expect(violation).toMatchObject({
      rule: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
      dataPath: '$.amount',
      direction: 'BACKWARD',
    });
    expect(violation!.why).toMatch(/consumers on the new schema/);
    expect(violation!.why).toMatch(/additionalProperties: false/);
  });

  it('follows $refs into sibling files through the loader', () => {
    const money = (type: string): SchemaDocument => ({ schema: { type }, file: 'money.json' });
    const order = (type: string): SchemaDocument => ({
      schema: { type: 'object', properties: { amount: { $ref: 'money.json' } } },
      file: 'order.json',
      load: (ref) => (ref === 'money.json' ? money(type) : undefined),
    });
    expect(checkCompatibility('BACKWARD', [order('integer')], order('number'))).toEqual([]);
    expect(checkCompatibility('BACKWARD', [order('number')], order('integer')).map((v) => v.rule)).toEqual([
      'TYPE_NARROWED',
    ]);
  });
});
