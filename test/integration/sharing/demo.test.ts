/**
 * `stratus demo` across tenants: analytics reads the topic payments shares with it. Every record of the
 * shared topic is accounted for on the reader's side too (delivered to analytics' own topic with lineage
 * headers naming analytics, or dead-lettered into analytics' DLQ), from Kafka itself.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../../lib/local/demo/run-demo.ts';
import { runCli } from '../../support/cli.ts';
import { testServices } from '../../support/services.ts';
import { sharingProject } from './project.ts';

describe('stratus demo with a topic shared across tenants', () => {
  let remove = () => {};
  afterAll(() => remove());

  it('the reader consumes the shared topic and every record is accounted for', {
    timeout: 400_000,
  }, async () => {
    const project = await sharingProject();
    remove = project.remove;
    const { brokers, awsEndpoint } = testServices();
    const saved = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    };
    process.env.KAFKA_BROKERS = brokers.join(',');
    process.env.AWS_ENDPOINT_URL = awsEndpoint;
    let result: Awaited<ReturnType<typeof runCli>>;
    try {
      result = await runCli(['demo', '--events', '300', '--json', '--timeout', '300'], project.rootDir);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(result.stdout, `exit ${result.code}; stderr:\n${result.stderr}`).toMatch(/^\s*\{/);
    const summary = JSON.parse(result.stdout) as DemoSummary;
    expect(summary).toMatchObject({ ok: true, lost: 0, duplicates: 0 });
    // Only payments' orders topic is a source: the shared topic is written by payments' processor.
    expect(Object.values(summary.produced)).toEqual([300]);
    const consumers = summary.tenants.flatMap((t) => t.consumers);
    const enrich = consumers.find(
      (c) => c.consumer.startsWith('payments-') && c.consumer.endsWith('.enrich-orders'),
    )!;
    const watch = consumers.find((c) => c.consumer.startsWith('analytics-'))!;
    expect(watch.topic).toBe(enrich.output);
    expect(watch.topic).toMatch(/^payments-[0-9a-f]{6}\.orders-enriched$/);
    expect(watch.output).toMatch(/^analytics-[0-9a-f]{6}\.big-orders$/);
    expect(watch.input).toBe(enrich.delivered);
    expect(watch.input).toBeGreaterThan(200);
    expect(watch, JSON.stringify(watch)).toMatchObject({
      lost: 0,
      duplicates: 0,
      unexpected: 0,
      delivered: watch.input,
    });
    expect(result.code).toBe(0);
  });
});
