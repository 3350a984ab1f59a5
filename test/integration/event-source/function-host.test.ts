import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consumerEnvironment } from '../../../lib/core/function-env.ts';
import { consumerFunctionName } from '../../../lib/core/naming.ts';
import { FunctionHost } from '../../../lib/local/function-host/index.ts';
import { consumerSpec, freshTopic, produce, services, startMapping } from './harness.ts';

const HANDLER = path.join(import.meta.dirname, 'fixtures/stateful-handler.ts');
const hosts: FunctionHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.close()));
});

function host(consumer: string, timeoutMs = 5_000): FunctionHost {
  const created = new FunctionHost({
    handlerFile: HANDLER,
    functionName: consumerFunctionName('acme', consumer),
    env: consumerEnvironment({
      tenant: 'acme',
      consumer,
      sourceTopic: 'acme.events',
      kafkaBrokers: services().brokers.join(','),
      kafkaAuth: 'plaintext',
      logLevel: 'INFO',
    }),
    timeoutMs,
  });
  hosts.push(created);
  return created;
}

const event = (extra: Record<string, unknown> = {}) => ({
  eventSource: 'aws:kafka',
  bootstrapServers: 'x',
  records: {},
  ...extra,
});

describe('FunctionHost', () => {
  it('loads a TypeScript handler in its own environment: per-function env, module state kept, Lambda context', async () => {
    const a = host('alpha');
    const b = host('beta');
    const first = await a.invoke(event());
    const second = await a.invoke(event());
    const other = await b.invoke(event());
    expect(first).toMatchObject({
      ok: true,
      response: { invocations: 1, tenant: 'acme', consumer: 'alpha' },
    });
    expect(second).toMatchObject({ ok: true, response: { invocations: 2, consumer: 'alpha' } });
    expect(other).toMatchObject({ ok: true, response: { invocations: 1, consumer: 'beta' } });
    const response = (first as { response: Record<string, unknown> }).response;
    expect(response.functionName).toBe('stratus-acme-alpha');
    expect(response.invokedFunctionArn).toMatch(/^arn:aws:lambda:[^:]+:\d{12}:function:stratus-acme-alpha$/);
    expect(response.awsRequestId).toBe(first.awsRequestId);
    expect(response.remaining).toBeGreaterThan(0);
    expect(response.remaining).toBeLessThanOrEqual(5_000);
    expect(process.env.STRATUS_CONSUMER).toBeUndefined();
  });

  it('reports a thrown error as a function error', async () => {
    const result = await host('gamma').invoke(event({ mode: 'throw' }));
    expect(result).toMatchObject({ ok: false, error: { class: 'RangeError', message: 'asked to fail' } });
  });

  it('fails an invocation that exceeds the timeout and replaces the environment with a fresh one', async () => {
    const fn = host('delta', 1_000);
    await fn.invoke(event());
    const timedOut = await fn.invoke(event({ mode: 'sleep', ms: 30_000 }));
    expect(timedOut).toMatchObject({ ok: false, error: { class: 'Sandbox.Timedout' } });
    expect(timedOut.ok === false && timedOut.error.message).toMatch(/Task timed out after 1\.00 seconds/);
    const after = await fn.invoke(event());
    expect(after).toMatchObject({ ok: true, response: { invocations: 1 } });
  });

  it('runs concurrent invocations in separate environments', async () => {
    const fn = host('epsilon');
    const results = await Promise.all([fn.invoke(event({ mode: 'sleep', ms: 300 })), fn.invoke(event())]);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(fn.environments).toBe(2);
  });

  it('drives an event-source mapping: the handler partial response is honoured', async () => {
    const topic = await freshTopic();
    const fn = host('zeta');
    const seen: number[][] = [];
    await produce(topic.topic, ['a', 'b', 'c']);
    const mapping = await startMapping(consumerSpec(topic, { batchSize: 3 }), {
      invoke: async (mskEvent) => {
        const offsets = Object.values(mskEvent.records)
          .flat()
          .map((record) => record.offset);
        seen.push(offsets);
        // First call: report the last record failed; afterwards succeed.
        return fn.invoke(seen.length === 1 ? { ...mskEvent, mode: 'partial' } : mskEvent);
      },
    });
    await mapping.drained();
    expect(seen).toEqual([[0, 1, 2], [2]]);
  });
});
