/**
 * `stratus dev`'s HTTP ingest endpoint (the runtime against the run's shared broker), driven over HTTP as a
 * client would: one record, a batch, NDJSON, invalid records mixed with valid ones, an oversize body, wrong
 * content types, unknown topics and tenants, the run's token and the cross-site guard. What was accepted is
 * read back from Kafka; what was refused is not there.
 */
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import { ingestPath } from '../../../lib/core/naming.ts';
import type { IngestResponseBody } from '../../../lib/ingest/ingest-service.ts';
import { controlAuthHeaders } from '../../../lib/local/control-token.ts';
import { type Runtime, startRuntime } from '../../../lib/local/runtime.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/load.ts';
import { type IngestProject, ingestProject, type Order } from '../../support/ingest-project.ts';
import { testServices } from '../../support/services.ts';
import { readMessages, topicSize } from '../sdk/helpers.ts';

let project: IngestProject;
let runtime: Runtime;
let kafka: Kafka;
let token: string;

const order = (orderId: string, extra: Partial<Order> = {}): Order => ({
  orderId,
  amount: 10,
  currency: 'EUR',
  country: 'DE',
  ...extra,
});

async function post(
  topic: string,
  body: string | Buffer,
  options: { contentType?: string | null; headers?: Record<string, string>; tenant?: string } = {},
) {
  const headers: Record<string, string> = { ...controlAuthHeaders(token), ...options.headers };
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(
    `${runtime.metricsUrl}${ingestPath(options.tenant ?? project.tenant, topic)}`,
    {
      method: 'POST',
      headers,
      body,
    },
  );
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as IngestResponseBody & { error?: string },
  };
}

beforeAll(async () => {
  project = await ingestProject();
  const { brokers, awsEndpoint } = testServices();
  runtime = await startRuntime({
    spec: loadStratusOrThrow({ rootDir: project.rootDir }),
    services: { brokers, awsEndpoint },
    metricsPort: 0,
  });
  kafka = runtime.kafka;
  token = runtime.observability!.server.controlToken;
});

afterAll(async () => {
  await runtime?.stop();
  project?.remove();
});

describe('local HTTP ingest', () => {
  it('accepts one JSON record, keyed by its key field, with the ingest lineage headers', async () => {
    const before = await topicSize(kafka, project.topics.orders);
    const { status, body } = await post('orders', JSON.stringify(order('one-1')));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      topic: project.topics.orders,
      accepted: 1,
      rejected: 0,
      failed: 0,
      results: [{ index: 0, status: 'accepted' }],
      batchItemFailures: [],
    });
    // Answered only after the broker acknowledged: the record is already in the log.
    expect(await topicSize(kafka, project.topics.orders)).toBe(before + 1);
    const [message] = (await readMessages(kafka, project.topics.orders, before + 1)).filter(
      (m) => m.key === 'one-1',
    );
    expect(JSON.parse(message!.value!)).toEqual(order('one-1'));
    expect(message!.headers).toMatchObject({
      [LINEAGE_HEADERS.tenant]: project.tenant,
      [LINEAGE_HEADERS.producer]: 'ingest',
      [LINEAGE_HEADERS.traceId]: body.traceId,
    });
  });

  it('accepts a JSON array as a batch and NDJSON line by line', async () => {
    const before = await topicSize(kafka, project.topics.orders);
    const batch = await post('orders', JSON.stringify([order('b-1'), order('b-2'), order('b-3')]));
    expect(batch.status).toBe(200);
    expect(batch.body.accepted).toBe(3);
    const ndjson = `${JSON.stringify(order('n-1'))}\n\n${JSON.stringify(order('n-2'))}\n`;
    const lines = await post('orders', ndjson, { contentType: 'application/x-ndjson; charset=utf-8' });
    expect(lines.status).toBe(200);
    expect(lines.body.results).toEqual([
      { index: 0, status: 'accepted' },
      { index: 1, status: 'accepted' },
    ]);
    expect(await topicSize(kafka, project.topics.orders)).toBe(before + 5);
    // Three partitions: read everything, then pick this test's records by key.
    const ids = ['b-1', 'b-2', 'b-3', 'n-1', 'n-2'];
    const written = (await readMessages(kafka, project.topics.orders, before + 5))
      .filter((m) => ids.includes(m.key!))
      .map((m) => [m.key, JSON.parse(m.value!)])
      .sort(([a], [b]) => String(a).localeCompare(String(b)));
    expect(written).toEqual(ids.map((id) => [id, order(id)]));
  });

  it('writes the valid records of a mixed batch and answers per record, like a partial batch response', async () => {
    const before = await topicSize(kafka, project.topics.orders);
    const body = [
      JSON.stringify(order('m-1')),
      JSON.stringify({ orderId: 'm-2', amount: 'ten', currency: 'EUR' }), // schema
      JSON.stringify(order('m-3', { amount: -5 })), // quality rule positive-amount (error)
      '{"orderId": "m-4", ', // not JSON
      JSON.stringify(order('m-5', { country: undefined })), // warn rule only: accepted
      JSON.stringify({ amount: 3, currency: 'USD' }), // no orderId: schema (required), and no key
    ].join('\n');
    const { status, body: answer } = await post('orders', body, { contentType: 'application/x-ndjson' });
    expect(status).toBe(207);
    expect(answer).toMatchObject({ accepted: 2, rejected: 4, failed: 0 });
    expect(answer.results.map((r) => [r.index, r.status, 'reason' in r ? r.reason : undefined])).toEqual([
      [0, 'accepted', undefined],
      [1, 'rejected', 'SCHEMA_VIOLATION'],
      [2, 'rejected', 'DATA_QUALITY'],
      [3, 'rejected', 'NOT_JSON'],
      [4, 'accepted', undefined],
      [5, 'rejected', 'SCHEMA_VIOLATION'],
    ]);
    expect(answer.results[1]).toMatchObject({ violations: ['/amount must be number'] });
    expect(answer.results[2]).toMatchObject({ message: expect.stringContaining('"positive-amount"') });
    expect(answer.results[3]).toMatchObject({ message: expect.stringMatching(/^line 4 is not JSON/) });
    expect(answer.batchItemFailures).toEqual([1, 2, 3, 5].map((itemIdentifier) => ({ itemIdentifier })));
    expect(await topicSize(kafka, project.topics.orders)).toBe(before + 2);
    const written = (await readMessages(kafka, project.topics.orders, before + 2)).map((m) => m.key);
    expect(written).toEqual(expect.arrayContaining(['m-1', 'm-5']));
    expect(written).not.toContain('m-3');
  });

  it('answers 422 when no record is valid, and writes nothing', async () => {
    const before = await topicSize(kafka, project.topics.orders);
    const { status, body } = await post(
      'orders',
      JSON.stringify([{ orderId: 'x' }, order('y', { amount: 0 })]),
    );
    expect(status).toBe(422);
    expect(body).toMatchObject({ accepted: 0, rejected: 2 });
    expect(await topicSize(kafka, project.topics.orders)).toBe(before);
  });

  it('takes any JSON on a topic without a schema, unkeyed', async () => {
    const before = await topicSize(kafka, project.topics.events);
    const { status } = await post('events', JSON.stringify([{ kind: 'click' }, 'plain', 42]));
    expect(status).toBe(200);
    const messages = await readMessages(kafka, project.topics.events, before + 3);
    expect(messages.slice(-3).map((m) => [m.key, JSON.parse(m.value!)])).toEqual([
      [null, { kind: 'click' }],
      [null, 'plain'],
      [null, 42],
    ]);
  });

  it('refuses an oversize body with 413, by Content-Length and by what arrives', async () => {
    const before = await topicSize(kafka, project.topics.orders);
    const big = JSON.stringify(Array.from({ length: 1500 }, (_, i) => order(`big-${i}`)));
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    const declared = await post('orders', big);
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatch(/exceeds 65536 bytes \(ingest\.maxBodyBytes\)/);
    // A streamed body without Content-Length is cut off once it passes the limit.
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++)
          controller.enqueue(new TextEncoder().encode(big.slice(i * 20_000, (i + 1) * 20_000)));
        controller.close();
      },
    });
    const streamed = await fetch(`${runtime.metricsUrl}${ingestPath(project.tenant, 'orders')}`, {
      method: 'POST',
      headers: { ...controlAuthHeaders(token), 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await topicSize(kafka, project.topics.orders)).toBe(before);
  });

  it('refuses wrong or missing content types with 415, malformed JSON with 400', async () => {
    const before = await topicSize(kafka, project.topics.orders);
    const text = await post('orders', JSON.stringify(order('t-1')), { contentType: 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.headers.get('accept-post')).toBe(
      'application/json, application/x-ndjson, application/ndjson',
    );
    expect((await post('orders', '{}', { contentType: null })).status).toBe(415);
    expect((await post('orders', '{}', { contentType: 'application/json; charset=latin1' })).status).toBe(
      415,
    );
    const malformed = await post('orders', '{"orderId": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^the body is not JSON/);
    expect((await post('orders', '[]')).status).toBe(400);
    expect(await topicSize(kafka, project.topics.orders)).toBe(before);
  });

  it('answers 404 for a topic without ingest and for a tenant without an endpoint', async () => {
    const before = await topicSize(kafka, project.topics.audit);
    const audit = await post('audit', '{}');
    expect(audit.status).toBe(404);
    expect(audit.body.error).toMatch(
      /topic "audit" .* takes no ingest; the manifest's ingest\.topics: orders, events/,
    );
    expect((await post('nope', '{}')).status).toBe(404);
    const tenant = await post('orders', '{}', { tenant: 'someone-else' });
    expect(tenant.status).toBe(404);
    expect(tenant.body.error).toMatch(/tenant "someone-else" has no ingest endpoint in this run/);
    expect(await topicSize(kafka, project.topics.audit)).toBe(before);
  });

  it("needs the run's token and refuses cross-site requests (the runtime's request guard)", async () => {
    const url = `${runtime.metricsUrl}${ingestPath(project.tenant, 'orders')}`;
    const body = JSON.stringify(order('guard'));
    const anonymous = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(anonymous.status).toBe(401);
    const crossSite = await fetch(url, {
      method: 'POST',
      headers: {
        ...controlAuthHeaders(token),
        'content-type': 'application/json',
        origin: 'https://evil.example',
      },
      body,
    });
    expect(crossSite.status).toBe(403);
    expect((await fetch(url)).status).toBe(405);
  });
});
