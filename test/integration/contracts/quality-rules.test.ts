/**
 * Data-quality rules end to end on the real broker: a tenant shape the examples do not have (a processor whose
 * input and output topics both carry rules), run by the local runtime with the handler in its worker. A
 * negative reading is dead-lettered by an input rule, an out-of-range output by an output rule (both with
 * reason DATA_QUALITY and the rule's name), a warn rule counts and lets its record through, and /metrics has
 * the per-rule counters.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { captureProcessOutput, type OutputCapture } from '../../../lib/local/output-capture.ts';
import { freePort } from '../../../lib/local/process-utils.ts';
import { type Runtime, startRuntime } from '../../../lib/local/runtime.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { testServices, uniqueName } from '../../support/services.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');

async function readAll(
  kafka: Kafka,
  topic: string,
  count: number,
): Promise<Array<{ key: string; value: string }>> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const seen: Array<{ key: string; value: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
        if (seen.length >= count) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  await consumer.disconnect();
  return seen;
}

describe('quality rules in a running pipeline', () => {
  const tenant = uniqueName('qa');
  let rootDir: string;
  let runtime: Runtime;
  let capture: OutputCapture;

  beforeAll(async () => {
    rootDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-quality-'));
    mkdirSync(path.join(rootDir, 'tenants'));
    mkdirSync(path.join(rootDir, 'schemas'));
    mkdirSync(path.join(rootDir, 'functions'));
    writeFileSync(path.join(rootDir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      path.join(rootDir, 'schemas/reading.schema.json'),
      JSON.stringify({
        type: 'object',
        required: ['sensor', 'value', 'count'],
        properties: { sensor: { type: 'string' }, value: { type: 'number' }, count: { type: 'integer' } },
      }),
    );
    writeFileSync(
      path.join(rootDir, 'schemas/scaled.schema.json'),
      JSON.stringify({
        type: 'object',
        required: ['sensor', 'scaled'],
        properties: { sensor: { type: 'string' }, scaled: { type: 'number' } },
      }),
    );
    writeFileSync(
      path.join(rootDir, 'functions/scale.ts'),
      `import { defineProcessor } from ${JSON.stringify(path.join(REPO, 'functions/sdk/index.ts'))};\n` +
        'export const handler = defineProcessor({ handler: (r) => ({ sensor: r.value.sensor, scaled: r.value.value * 10 }) });\n',
    );
    writeFileSync(
      path.join(rootDir, 'tenants/qa.yaml'),
      `tenant: ${tenant}
owners: [qa@example.com]
topics:
  readings:
    schema: schemas/reading.schema.json
    quality:
      - { name: non-negative, expr: "value.value >= 0.0", alarmPercent: 10 }
      - { name: small-count, expr: "value.count < 100", severity: warn }
  scaled:
    schema: schemas/scaled.schema.json
    quality:
      - { name: bounded, expr: "value.scaled < 1000.0" }
consumers:
  scale:
    topic: readings
    handler: functions/scale.ts
    output: scaled
    batchWindow: 0s
alerts:
  quality: { ratePercent: 50 }
`,
    );
    writeFileSync(
      path.join(rootDir, 'stratus.config.yaml'),
      `local: { metricsPort: ${await freePort()}, stateDir: .stratus }\n`,
    );
    // As `stratus dev` does: function output goes to a file, and its EMF lines to the runtime's /metrics.
    capture = captureProcessOutput(path.join(rootDir, 'functions.log'), (line) =>
      runtime?.handlerOutput(line),
    );
    runtime = await startRuntime({
      spec: loadStratusOrThrow({ rootDir }),
      services: testServices(),
      metricsPort: 0,
    });
  }, 180_000);

  afterAll(async () => {
    await runtime?.stop();
    capture?.restore();
    rmSync(rootDir, { recursive: true, force: true });
  });

  it('dead-letters input and output rule failures with their names, counts the warn rule, delivers the rest', {
    timeout: 120_000,
  }, async () => {
    const producer = runtime.kafka.producer();
    await producer.connect();
    const readings = [
      { key: 'ok', value: { sensor: 'a', value: 1.5, count: 1 } },
      { key: 'negative', value: { sensor: 'b', value: -2, count: 1 } },
      { key: 'many', value: { sensor: 'c', value: 3, count: 500 } },
      { key: 'huge', value: { sensor: 'd', value: 5000, count: 2 } },
    ];
    await producer.send({
      topic: `${tenant}.readings`,
      messages: readings.map((r) => ({ key: r.key, value: JSON.stringify(r.value) })),
    });
    await producer.disconnect();

    const dead = await readAll(runtime.kafka, `${tenant}.dlq`, 2);
    const envelopes = dead.map((m) => parseDlqEnvelope(m.value)).map((p) => (p.ok ? p.envelope : undefined));
    expect(envelopes.map((e) => [e?.reason, e?.rules, e?.consumer, e?.source.topic]).sort()).toEqual([
      ['DATA_QUALITY', ['bounded'], 'scale', `${tenant}.readings`],
      ['DATA_QUALITY', ['non-negative'], 'scale', `${tenant}.readings`],
    ]);
    expect(dead.map((m) => m.key).sort()).toEqual(['huge', 'negative']);

    const outputs = await readAll(runtime.kafka, `${tenant}.scaled`, 2);
    expect(outputs.map((m) => m.key).sort()).toEqual(['many', 'ok']);

    const labels = `tenant="${tenant}",consumer="${tenant}.scale",topic="${tenant}.readings"`;
    await expect
      .poll(async () => (await fetch(`${runtime.metricsUrl}/metrics`)).text(), { timeout: 30_000 })
      .toContain(`stratus_quality_rule_failed_total{${labels},rule="small-count",stage="input"} 1`);
    const metrics = await (await fetch(`${runtime.metricsUrl}/metrics`)).text();
    expect(metrics).toContain(
      `stratus_quality_rule_failed_total{${labels},rule="non-negative",stage="input"} 1`,
    );
    expect(metrics).toContain(
      `stratus_quality_rule_passed_total{${labels},rule="non-negative",stage="input"} 3`,
    );
    expect(metrics).toContain(`stratus_quality_rule_failed_total{${labels},rule="bounded",stage="output"} 1`);

    // The local failure-rate alarms, at the AWS alarms' thresholds: 1 of 4 inputs (25%) fails non-negative
    // (alarmPercent 10), the warn rule's 25% stays under alerts.quality.ratePercent (50).
    await runtime.observability!.sampleNow();
    const alarm = (rule: string, stage = 'input') =>
      runtime.observability!.alarms.get(`qualityRatePercent/${tenant}.scale/${stage}/${rule}`);
    expect(alarm('non-negative')).toMatchObject({ state: 'ALARM', value: 25, threshold: 10 });
    expect(alarm('small-count')).toMatchObject({ state: 'OK', value: 25, threshold: 50 });
    expect(alarm('bounded', 'output')).toMatchObject({ state: 'OK', threshold: 50 });
  });
});
