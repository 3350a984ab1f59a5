import { describe, expect, it } from 'vitest';
import {
  checkQualityRules,
  compileQualityRules,
  type QualityRule,
} from '../../../lib/contracts/quality-rules.ts';
import type { SchemaDocument } from '../../../lib/contracts/schema-document.ts';

const order: SchemaDocument = {
  file: 'order.schema.json',
  schema: {
    type: 'object',
    required: ['orderId', 'amount', 'items'],
    properties: {
      orderId: { type: 'string' },
      amount: { type: 'number' },
      itemCount: { type: 'integer' },
      country: { type: 'string' },
      note: { type: ['string', 'null'] },
      items: {
        type: 'array',
        items: { type: 'object', properties: { sku: { type: 'string' }, quantity: { type: 'integer' } } },
      },
      tags: { type: 'array', items: { type: 'string' } },
      customer: { $ref: '#/$defs/customer' },
    },
    $defs: {
      customer: {
        type: 'object',
        properties: { tier: { enum: ['gold', 'silver'] }, age: { type: 'integer' } },
      },
    },
  },
};

const rule = (
  name: string,
  expression: string,
  severity: QualityRule['severity'] = 'error',
): QualityRule => ({
  name,
  expression,
  severity,
});

describe('type-checking rules against the topic schema', () => {
  it('accepts sound rules over every kind of field', () => {
    const rules = [
      rule('positive', 'value.amount > 0.0'),
      rule('count', 'value.itemCount >= 1'),
      rule('country', '!has(value.country) || value.country.size() == 2'),
      rule('items', 'value.items.all(i, i.quantity > 0)'),
      rule('tags', '!value.tags.exists(t, t == "test")'),
      rule('ref', 'value.customer.tier != "gold" || value.customer.age >= 18'),
      rule('key', 'key.startsWith("ord-")'),
      rule('nullable', 'value.note == null || value.note != ""'),
    ];
    expect(checkQualityRules(rules, order)).toEqual([]);
  });

  it('names an unknown field, a type error, a syntax error and a non-boolean rule', () => {
    const problems = checkQualityRules(
      [
        rule('typo', 'value.amout > 0.0'),
        rule('types', 'value.orderId + 1 == 2'),
        rule('syntax', 'value.amount >'),
        rule('number', 'value.amount * 2.0'),
        rule('nested', 'value.customer.level == "x"'),
      ],
      order,
    );
    expect(problems.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
    expect(problems[0]!.message).toMatch(/amout/);
    expect(problems[1]!.message).toMatch(/string \+ int/);
    expect(problems[3]!.message).toMatch(/must evaluate to bool.*double/);
    expect(problems[4]!.message).toMatch(/level/);
  });

  it('without a schema, value is dyn: fields are not checked', () => {
    expect(checkQualityRules([rule('any', 'value.anything > 1')], undefined)).toEqual([]);
  });
});

describe('evaluating rules', () => {
  const compiled = compileQualityRules(
    [
      rule('positive-amount', 'value.amount > 0.0'),
      rule('has-items', 'value.items.size() > 0'),
      rule('integer-math', 'value.itemCount * 2 < 100'),
      rule('de-only', 'value.country == "DE"', 'warn'),
    ],
    order,
  );

  it('passes a good record with no allocation of failures', () => {
    const good = {
      orderId: 'o',
      amount: 12,
      itemCount: 3,
      country: 'DE',
      items: [{ sku: 'a', quantity: 1 }],
    };
    expect(compiled.evaluate(good, 'o')).toBeUndefined();
  });

  it('reports each failed rule with its severity; integers are CEL ints, whole numbers still doubles', () => {
    const bad = { orderId: 'o', amount: -1, itemCount: 60, country: 'FR', items: [] };
    expect(compiled.evaluate(bad, null)).toEqual([
      { rule: 'positive-amount', severity: 'error', reason: 'evaluated to false' },
      { rule: 'has-items', severity: 'error', reason: 'evaluated to false' },
      { rule: 'integer-math', severity: 'error', reason: 'evaluated to false' },
      { rule: 'de-only', severity: 'warn', reason: 'evaluated to false' },
    ]);
  });

  it('an absent optional field fails the rule with the evaluation error', () => {
    const failures = compiled.evaluate({ orderId: 'o', amount: 1, itemCount: 1, items: [{}] }, 'o');
    expect(failures).toEqual([
      { rule: 'de-only', severity: 'warn', reason: expect.stringMatching(/evaluation error: .*country/) },
    ]);
  });

  it('refuses to compile rules that do not type-check', () => {
    expect(() => compileQualityRules([rule('typo', 'value.amout > 0.0')], order)).toThrow(/rule "typo"/);
  });
});
