/**
 * Records/s of the three ways into a topic, on the same broker in the same run:
 *   - raw kafkajs: an idempotent producer (PRODUCER_CONFIG) sending JSON.stringify'd values with their key,
 *     acks=all — no validation, no lineage headers (the baseline);
 *   - raw kafkajs with the lineage headers the SDK adds (tenant, producer, a trace id per record): what the
 *     headers cost on the wire and in kafkajs' encoder, apart from the SDK's own code;
 *   - the producer SDK (functions/sdk/produce): createProducer<Order>, sendBatch — JSON Schema validation, key
 *     derivation, size check, lineage headers, group commit, acks=all;
 *   - `stratus dev`'s HTTP ingest endpoint (POST /ingest/<tenant>/orders, JSON array bodies) — body parsing,
 *     the same validation and producer, per-record answers, over HTTP/1.1 keep-alive from this process.
 * Records are the example payments orders (~1 KB, valid against schemas/payments/order.schema.json), in batches
 * of BENCH_BATCH (default 100), with BENCH_CONCURRENCY (default 4) batches in flight and with one at a time.
 * The HTTP client runs in a worker thread (a client is another process, not the endpoint's event loop) and its
 * bodies are serialised before the clock starts (a client elsewhere pays for that, not the endpoint); the raw
 * and SDK senders serialise inside it, as a service does. Each variant sends BENCH_RECORDS (default 10000)
 * records per round; rounds (BENCH_ROUNDS, default 5, after one warm-up round) alternate the order of the
 * variants, and the headline ratios are medians over rounds (the machine is shared and noisy).
 * Goals (issue 12): HTTP / SDK ≥ 0.7, SDK / raw kafkajs ≥ 0.9 (also printed: SDK / raw with the same headers).
 */

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Order } from '../functions/payments/order.ts';
import { producerLineageHeaders } from '../functions/sdk/lineage.ts';
import { createProducer, type TopicProducer } from '../functions/sdk/produce/index.ts';
import { PRODUCER_CONFIG } from '../lib/core/kafka-producer.ts';
import { ingestPath } from '../lib/core/naming.ts';
import { startAwsEmulator } from '../lib/local/aws-emulator.ts';
import { controlAuthHeaders } from '../lib/local/control-token.ts';
import { generatorFor } from '../lib/local/demo/generators.ts';
import { startKafka } from '../lib/local/kafka-broker.ts';
import { captureProcessOutput } from '../lib/local/output-capture.ts';
import { freePort } from '../lib/local/process-utils.ts';
import { type Runtime, startRuntime } from '../lib/local/runtime.ts';
import { loadStratusOrThrow } from '../lib/manifest/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TENANT = 'benchingest';

let say: (line: string) => void = (line) => {
  process.stderr.write(`# ${line}\n`);
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A project with one tenant: a keyed, schema'd orders topic, a declared producer and an ingest endpoint. */
function project(scratch: string): string {
  const dir = path.join(scratch, 'project');
  mkdirSync(path.join(dir, 'tenants'), { recursive: true });
  symlinkSync(path.join(ROOT, 'schemas'), path.join(dir, 'schemas'));
  writeFileSync(path.join(dir, 'stratus.config.yaml'), 'region: eu-west-1\nlocal: { stateDir: .stratus }\n');
  writeFileSync(
    path.join(dir, 'tenants', `${TENANT}.yaml`),
    `tenant: ${TENANT}
owners: [bench@example.com]
topics:
  orders: { partitions: 6, schema: schemas/payments/order.schema.json }
producers:
  checkout: { topics: [orders], principal: create, trust: ecs-task }
ingest:
  topics: [{ topic: orders, key: orderId }]
  auth: apiKey
  maxBodyBytes: 1MiB
`,
  );
  return dir;
}

/** Batches of valid ~1 KB orders (the demo's payments generator), the same for every variant. */
function orderBatches(rootDir: string): Order[][] {
  const topic = loadStratusOrThrow({ rootDir }).tenants[0]!.topics[0]!;
  const generator = generatorFor({ ...topic, schemaFile: 'schemas/payments/order.schema.json' }, 7);
  const orders = Array.from(
    { length: RECORDS },
    (_, seq) => JSON.parse(generator.next(seq, 'valid').value) as Order,
  );
  const batches: Order[][] = [];
  for (let i = 0; i < orders.length; i += BATCH) batches.push(orders.slice(i, i + BATCH));
  return batches;
}

/** Runs `send` over every batch with `concurrency` batches in flight; records/s of wall time. */
async function rate<B>(
  batches: B[],
  concurrency: number,
  send: (batch: B) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) await send(batches[next++]!);
    }),
  );
  return RECORDS / ((performance.now() - started) / 1000);
}

/**
 * The HTTP client, in plain JavaScript for a worker thread: POSTs the bodies with `concurrency` requests in
 * flight over keep-alive connections (node:http; fetch's web streams cost the client more than the endpoint
 * spends on a request) and answers with the milliseconds it took, or the first unexpected answer.
 */
const HTTP_CLIENT = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, headers, bodies, batch } = workerData;
const agent = new http.Agent({ keepAlive: true });
function post(body) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (response.statusCode !== 200 || answer.accepted !== batch)
          reject(new Error('ingest answered ' + response.statusCode + ': ' + JSON.stringify(answer).slice(0, 500)));
        else resolve();
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
parentPort.on('message', async ({ concurrency }) => {
  try {
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await post(bodies[next++]);
    }));
    parentPort.postMessage({ ms: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.stack || error) });
  }
});
`;

function httpClient(runtime: Runtime, bodies: string[]) {
  const worker = new Worker(HTTP_CLIENT, {
    eval: true,
    workerData: {
      url: `${runtime.metricsUrl}${ingestPath(TENANT, 'orders')}`,
      headers: {
        ...controlAuthHeaders(runtime.observability!.server.controlToken),
        'content-type': 'application/json',
      },
      bodies,
      batch: BATCH,
    },
  });
  return {
    rate: (concurrency: number) =>
      new Promise<number>((resolve, reject) => {
        worker.once('message', (result: { ms?: number; error?: string }) =>
          result.error ? reject(new Error(result.error)) : resolve(RECORDS / (result.ms! / 1000)),
        );
        worker.postMessage({ concurrency });
      }),
    stop: () => worker.terminate(),
  };
}

function senders(raw: Producer, sdk: TopicProducer<Order>, topic: string) {
  return {
    raw: async (batch: Order[]) => {
      await raw.send({
        topic,
        acks: -1,
        messages: batch.map((order) => ({ key: order.orderId, value: JSON.stringify(order) })),
      });
    },
    rawHeaders: async (batch: Order[]) => {
      await raw.send({
        topic,
        acks: -1,
        messages: batch.map((order) => ({
          key: order.orderId,
          value: JSON.stringify(order),
          headers: producerLineageHeaders({ tenant: TENANT, producer: 'checkout', traceId: randomUUID() }),
        })),
      });
    },
    sdk: (batch: Order[]) => sdk.sendBatch(batch.map((value) => ({ value }))),
  };
}

async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

type Variant = 'raw' | 'rawHeaders' | 'sdk' | 'http';
type Round = Record<Variant, number>;

async function measure(figures: Record<string, unknown>): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-ingest-'));
  const rootDir = project(scratch);
  const [kafka, aws] = await Promise.all([
    startKafka({
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir: path.join(scratch, 'kafka'),
      onProgress: say,
    }),
    startAwsEmulator({
      port: await freePort(),
      dataDir: path.join(scratch, 'aws'),
      logDir: scratch,
      onProgress: say,
    }),
  ]);
  let runtime: Runtime | undefined;
  let sdk: TopicProducer<Order> | undefined;
  let http: ReturnType<typeof httpClient> | undefined;
  const client = new Kafka({ clientId: 'bench-raw', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const raw = client.producer(PRODUCER_CONFIG);
  try {
    runtime = await startRuntime({
      spec: loadStratusOrThrow({ rootDir }),
      services: { brokers: kafka.brokers, awsEndpoint: aws.endpoint },
      metricsPort: 0,
    });
    const topic = `${TENANT}.orders`;
    sdk = await createProducer<Order>({
      tenant: TENANT,
      topic: 'orders',
      producer: 'checkout',
      key: 'orderId',
      rootDir,
      brokers: kafka.brokers,
      auth: 'plaintext',
    });
    await raw.connect();
    const batches = orderBatches(rootDir);
    const bodies = batches.map((batch) => JSON.stringify(batch));
    figures.recordBytes = Math.round(bodies.reduce((sum, b) => sum + b.length, 0) / RECORDS);
    const send = senders(raw, sdk, topic);
    http = httpClient(runtime, bodies);
    const httpSender = http;
    const run = (variant: Variant, concurrency: number) =>
      variant === 'http' ? httpSender.rate(concurrency) : rate(batches, concurrency, send[variant]);

    const orders: Variant[][] = [
      ['raw', 'rawHeaders', 'sdk', 'http'],
      ['http', 'sdk', 'rawHeaders', 'raw'],
      ['sdk', 'raw', 'http', 'rawHeaders'],
      ['rawHeaders', 'http', 'raw', 'sdk'],
    ];
    let sent = 0;
    for (const concurrency of [CONCURRENCY, 1]) {
      const rounds: Round[] = [];
      for (let round = 0; round <= ROUNDS; round++) {
        const figuresOf: Partial<Round> = {};
        for (const variant of orders[round % orders.length]!) {
          figuresOf[variant] = await run(variant, concurrency);
          sent += RECORDS;
        }
        const r = figuresOf as Round;
        say(
          `concurrency ${concurrency} round ${round}${round === 0 ? ' (warm-up)' : ''}: raw ${r.raw.toFixed(0)}/s, raw+headers ${r.rawHeaders.toFixed(0)}/s, SDK ${r.sdk.toFixed(0)}/s, HTTP ${r.http.toFixed(0)}/s`,
        );
        if (round > 0) rounds.push(r);
      }
      const suffix = concurrency === CONCURRENCY ? '' : `Concurrency${concurrency}`;
      figures[`rawRecordsPerSecond${suffix}`] = Math.round(median(rounds.map((r) => r.raw)));
      figures[`rawWithHeadersRecordsPerSecond${suffix}`] = Math.round(
        median(rounds.map((r) => r.rawHeaders)),
      );
      figures[`sdkRecordsPerSecond${suffix}`] = Math.round(median(rounds.map((r) => r.sdk)));
      figures[`httpRecordsPerSecond${suffix}`] = Math.round(median(rounds.map((r) => r.http)));
      figures[`httpToSdk${suffix}`] = Number(median(rounds.map((r) => r.http / r.sdk)).toFixed(3));
      figures[`sdkToRaw${suffix}`] = Number(median(rounds.map((r) => r.sdk / r.raw)).toFixed(3));
      figures[`sdkToRawWithHeaders${suffix}`] = Number(
        median(rounds.map((r) => r.sdk / r.rawHeaders)).toFixed(3),
      );
    }
    // Nothing lost: every acknowledged record is on the topic.
    const written = await topicSize(client, topic);
    if (written !== sent) throw new Error(`${sent} records acknowledged, but ${topic} holds ${written}`);
    figures.recordsWritten = written;
  } finally {
    await http?.stop();
    await raw.disconnect().catch(() => {});
    await sdk?.close().catch(() => {});
    await runtime?.stop();
    await Promise.all([kafka.stop(), aws.stop()]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  // The runtime logs to this process's stdout, which must carry only the figures.
  const capture = captureProcessOutput(path.join(os.tmpdir(), `stratus-bench-ingest-${process.pid}.log`));
  const print = capture.writerFor(process.stdout);
  const progress = capture.writerFor(process.stderr);
  say = (line) => progress(`# ${line}\n`);
  const figures: Record<string, unknown> = {
    records: RECORDS,
    batch: BATCH,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
  };
  try {
    await measure(figures);
  } finally {
    capture.restore();
  }
  print(`${JSON.stringify({ bench: 'ingest', ...figures })}\n`);
}

await main();
