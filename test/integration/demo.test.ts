/**
 * `stratus demo --events 2000` end to end, as a user runs it, against the run's shared broker and emulator
 * (KAFKA_BROKERS / AWS_ENDPOINT_URL, so the demo runs its tenants under unique names): every record is
 * accounted for from Kafka and the tables, and the poison records end where their kind says.
 */
import { describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../lib/local/demo/run-demo.ts';
import { runCli } from '../support/cli.ts';
import { testServices } from '../support/services.ts';

describe('stratus demo', () => {
  it('accounts for every one of 2000 events per source topic: lost 0, duplicates 0', {
    timeout: 600_000,
  }, async () => {
    const { brokers, awsEndpoint } = testServices();
    const saved = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    };
    process.env.KAFKA_BROKERS = brokers.join(',');
    process.env.AWS_ENDPOINT_URL = awsEndpoint;
    let result: Awaited<ReturnType<typeof runCli>>;
    try {
      result = await runCli(['demo', '--events', '2000', '--json', '--timeout', '480']);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    // On failure, show what the demo said: its progress and errors go to stderr.
    expect(result.stdout, `exit ${result.code}; stderr:\n${result.stderr}`).toMatch(/^\s*\{/);
    expect(result.stderr).toContain('shared broker: running the tenants as');
    const summary = JSON.parse(result.stdout) as DemoSummary;
    expect(summary.error).toBeUndefined();
    expect(summary).toMatchObject({ ok: true, lost: 0, duplicates: 0, namespaced: true });
    expect(result.code).toBe(0);
    expect(Object.values(summary.produced)).toEqual([2000, 2000]);

    const consumers = summary.tenants.flatMap((t) => t.consumers);
    expect(consumers).toHaveLength(2);
    for (const c of consumers) {
      expect(c.input).toBe(2000);
      expect(c.delivered + c.deadLettered + c.filtered).toBe(2000);
      // The example processors drop only what their filters already drop: no drop evidence, one output each.
      expect(c.dropped).toBe(0);
      expect(c.outputs).toBe(c.delivered);
      expect(c.unexpected).toBe(0);
      // Poison by construction: bad JSON is dropped by the value filters, schema violations and handler
      // failures reach the DLQ; none is ever delivered.
      const kinds = c.byKind!;
      expect(kinds['bad-json']).toEqual({
        produced: 10,
        delivered: 0,
        dropped: 0,
        deadLettered: 0,
        filtered: 10,
        discarded: 0,
      });
      expect(kinds['schema-violation']).toEqual({
        produced: 20,
        delivered: 0,
        dropped: 0,
        deadLettered: 20,
        filtered: 0,
        discarded: 0,
      });
      if (kinds['handler-failure'])
        expect(kinds['handler-failure']).toEqual({
          produced: 10,
          delivered: 0,
          dropped: 0,
          deadLettered: 10,
          filtered: 0,
          discarded: 0,
        });
    }
    // Only poison reaches the DLQ: a handler failure dead-letters the failing order alone, never the valid
    // orders behind it in its partition.
    for (const c of consumers) {
      expect(c.misrouted).toBe(0);
      expect(c.byKind!.valid!.deadLettered).toBe(0);
    }

    // The sinks' tables, read by pyiceberg/pyarrow, hold exactly the records of their topics.
    const sinks = summary.tenants.flatMap((t) => t.sinks);
    expect(sinks.map((s) => s.format).sort()).toEqual(['iceberg', 'parquet']);
    for (const sink of sinks) {
      expect(sink.rows).toBe(sink.records);
      expect(sink.records).toBeGreaterThan(1000);
    }
  });
});
