/**
 * Data-quality rules in the SDK: the manifest's rules (through STRATUS_QUALITY_RULES_FILE, as the platform
 * hands them over) run before the handler and on a processor's outputs. Dead letters and outputs go to a
 * publisher that records them; the Kafka path itself is covered by test/integration.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineProcessor, type RecordPublisher } from '../../../functions/sdk/index.ts';
import { parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import type { QualityRuleSet } from '../../../lib/core/quality-rule-set.ts';
import { emfReader } from '../../../lib/local/observability/emf.ts';
import { StratusMetrics } from '../../../lib/local/observability/metrics.ts';
import { functionEnv } from './env.ts';
import { captureOutput, lambdaContext, mskEvent } from './msk-fixtures.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-quality-'));
const SCHEMA = {
  type: 'object',
  required: ['id', 'amount'],
  properties: {
    id: { type: 'string' },
    amount: { type: 'number' },
    items: { type: 'integer' },
    country: { type: 'string' },
  },
};
const OUT_SCHEMA = { type: 'object', properties: { id: { type: 'string' }, total: { type: 'number' } } };

function files(rules: QualityRuleSet): Record<string, string> {
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(content));
    return file;
  };
  return {
    schemaFile: write('in', SCHEMA),
    outputSchemaFile: write('out', OUT_SCHEMA),
    qualityRulesFile: write('rules', rules),
  };
}

class RecordingPublisher implements RecordPublisher {
  readonly sent: Array<{ topic: string; value: string; key: string | null }> = [];
  async publish(
    batches: ReadonlyArray<{
      topic: string;
      messages: Array<{ key: Buffer | string | null; value: string }>;
    }>,
  ) {
    for (const batch of batches)
      for (const m of batch.messages)
        this.sent.push({ topic: batch.topic, value: m.value, key: m.key === null ? null : m.key.toString() });
  }
  async close() {}
}

function processor(
  rules: QualityRuleSet,
  handler = (v: { id: string; amount: number }) => ({ id: v.id, total: v.amount * 2 }),
) {
  const publisher = new RecordingPublisher();
  const handled: string[] = [];
  const fn = defineProcessor<{ id: string; amount: number }, unknown>({
    env: functionEnv({ outputTopic: 'shop.totals', dlqTopic: 'shop.dlq', ...files(rules) }),
    publisher,
    handler: (record) => {
      handled.push(record.value.id);
      return handler(record.value);
    },
  });
  return { fn, publisher, handled };
}

const event = (...values: Array<Record<string, unknown>>) =>
  mskEvent(
    values.map((value, i) => ({ topic: 'shop.orders', partition: 0, offset: i, key: `k${i}`, value })),
  );

describe('quality rules on input', () => {
  const rules: QualityRuleSet = {
    input: [
      { name: 'positive-amount', expression: 'value.amount > 0.0', severity: 'error' },
      { name: 'few-items', expression: '!has(value.items) || value.items < 10', severity: 'error' },
      { name: 'de-only', expression: 'has(value.country) && value.country == "DE"', severity: 'warn' },
    ],
    output: [],
  };

  it('dead-letters a record failing an error rule with reason DATA_QUALITY and the rule names, before the handler', async () => {
    const { fn, publisher, handled } = processor(rules);
    const { result } = await captureOutput(() =>
      fn(
        event({ id: 'a', amount: 5, country: 'DE' }, { id: 'b', amount: -1, items: 12, country: 'DE' }),
        lambdaContext(),
      ),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(handled).toEqual(['a']);
    const dead = publisher.sent.filter((m) => m.topic === 'shop.dlq');
    expect(dead).toHaveLength(1);
    const parsed = parseDlqEnvelope(dead[0]!.value);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.envelope).toMatchObject({
      reason: 'DATA_QUALITY',
      rules: ['positive-amount', 'few-items'],
      error: {
        class: 'DataQualityError',
        message: expect.stringMatching(/"positive-amount" \(evaluated to false\)/),
      },
      source: { topic: 'shop.orders', partition: 0, offset: 1 },
    });
    expect(publisher.sent.filter((m) => m.topic === 'shop.totals').map((m) => JSON.parse(m.value))).toEqual([
      { id: 'a', total: 10 },
    ]);
  });

  it('a warn rule is logged and counted, and the record is delivered', async () => {
    const { fn, publisher, handled } = processor(rules);
    const { lines } = await captureOutput(() =>
      fn(event({ id: 'a', amount: 5, country: 'FR' }, { id: 'b', amount: 1 }), lambdaContext()),
    );
    expect(handled).toEqual(['a', 'b']);
    expect(publisher.sent.filter((m) => m.topic === 'shop.dlq')).toEqual([]);
    const warnings = lines.filter((l) => String(l.message).includes('warn-level data-quality'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({
      rules: [{ rule: 'de-only', reason: 'evaluated to false' }],
      offset: 0,
    });
    // One EMF document per rule and invocation, dimensions from lib/core/quality-metrics.ts.
    const emf = lines.filter((l) => l.rule !== undefined && l._aws !== undefined);
    expect(emf.map((l) => [l.rule, l.stage, l.QualityRulePassed, l.QualityRuleFailed])).toEqual([
      ['positive-amount', 'input', 2, 0],
      ['few-items', 'input', 2, 0],
      ['de-only', 'input', 0, 2],
    ]);
    expect(emf[0]).toMatchObject({ service: 'shop', tenant: 'shop', consumer: 'audit' });

    // The local runtime reads the same lines into /metrics.
    const metrics = new StratusMetrics({ processMetrics: false });
    const read = emfReader(metrics, (group) => (group === 'shop.audit' ? 'shop.orders' : undefined));
    for (const line of lines) read(JSON.stringify(line));
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'stratus_quality_rule_failed_total{tenant="shop",consumer="shop.audit",topic="shop.orders",rule="de-only",stage="input"} 2',
    );
    expect(text).toContain(
      'stratus_quality_rule_passed_total{tenant="shop",consumer="shop.audit",topic="shop.orders",rule="positive-amount",stage="input"} 2',
    );
  });
});

describe('quality rules on processor outputs', () => {
  it('an output failing an error rule dead-letters its source record and produces none of its outputs', async () => {
    const { fn, publisher } = processor({
      input: [],
      output: [{ name: 'bounded-total', expression: 'value.total < 100.0', severity: 'error' }],
    });
    await captureOutput(() =>
      fn(event({ id: 'small', amount: 5 }, { id: 'big', amount: 80 }), lambdaContext()),
    );
    expect(
      publisher.sent.filter((m) => m.topic === 'shop.totals').map((m) => JSON.parse(m.value).id),
    ).toEqual(['small']);
    const dead = publisher.sent.filter((m) => m.topic === 'shop.dlq').map((m) => parseDlqEnvelope(m.value));
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      ok: true,
      envelope: { reason: 'DATA_QUALITY', rules: ['bounded-total'], source: { offset: 1 } },
    });
  });

  it('a rules file that does not type-check against the schema stops the function at cold start', () => {
    expect(() =>
      processor({
        input: [{ name: 'typo', expression: 'value.amout > 0.0', severity: 'error' }],
        output: [],
      }),
    ).toThrow(/input topic's invalid quality rules: rule "typo"/);
  });
});
