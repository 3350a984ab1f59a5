/**
 * Lambda cold start of a bundled example handler against the same handler written bare.
 *
 * Stratus: functions/payments/enrich-orders.ts (defineProcessor: middy, Powertools, Ajv schema validation, the
 * SDK's kafkajs producer). Bare: bench/fixtures/bare-enrich-orders.ts (aws-sdk v3 + kafkajs, the same
 * enrichOrder(), no Stratus SDK). Both are bundled with the CDK's esbuild settings (consumerEsbuildOptions:
 * CommonJS, minified, @aws-sdk/* external — NODE_PATH stands in for the Lambda runtime's copy) and laid out as
 * the CDK asset (index.js plus the schema files), and get the environment consumerEnvironment() gives the
 * function.
 *
 * Each cold start is a fresh Node.js process (empty module cache), which
 * - `require()`s the bundle: init = from the process's start (performance.timeOrigin) to the handler exported,
 *   as Lambda's Init Duration counts the runtime's start too; `requireMs` is the require alone;
 * - invokes it once with a 100-record MSK event (6 partitions, ~1 KB orders, base64 values as Lambda sends
 *   them): first invoke = the handler's promise settled, its producer's first connection and the acks of its
 *   outputs from the real Kafka broker included (and with idempotency, 200 calls to the emulator's DynamoDB).
 *
 * Pairs: without idempotency (the headline ratio: SDK vs bare on the same decode, enrich, produce) and with
 * it as tenants/payments.yaml declares it (Powertools' DynamoDB layer vs two plain DynamoDB calls per record).
 * Variants alternate within each of BENCH_ROUNDS (default 5) rounds; medians are reported with the ratios
 * stratus/bare (the issue's goal: ≤ 1.2). BENCH_IDEMPOTENCY=0 skips the idempotent pair. BENCH_CPU_PROF=<dir>
 * writes a V8 CPU profile of every child there (node --cpu-prof) for `--cpu-prof` style analysis.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Kafka, logLevel } from 'kafkajs';
import { consumerEsbuildOptions } from '../lib/aws/consumer-bundling.ts';
import { BUNDLED_OUTPUT_SCHEMA_FILE, BUNDLED_SCHEMA_FILE } from '../lib/aws/kafka-consumer.ts';
import { consumerEnvironment } from '../lib/core/function-env.ts';
import { buildMskEvent, encodeMskRecord, type MskEvent } from '../lib/core/msk-event.ts';
import { startAwsEmulator } from '../lib/local/aws-emulator.ts';
import { ensureIdempotencyTable } from '../lib/local/aws-resources.ts';
import { generatorFor } from '../lib/local/demo/generators.ts';
import { startKafka } from '../lib/local/kafka-broker.ts';
import { freePort } from '../lib/local/process-utils.ts';
import { provisionTopics } from '../lib/local/topics.ts';
import { loadStratusOrThrow } from '../lib/manifest/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WITH_IDEMPOTENCY = process.env.BENCH_IDEMPOTENCY !== '0';
const CPU_PROFILES = process.env.BENCH_CPU_PROF;
const RECORDS = 100;
const log = (line: string) => process.stderr.write(`# ${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * What the child runs, as the Node.js Lambda runtime would: require the bundle, invoke the handler once, then
 * close the producer (Lambda would freeze the container instead; closing is outside the timings).
 */
const CHILD = `
const started = performance.now();
const mod = require(process.argv[1]);
const initMs = performance.now();
const fs = require('node:fs');
const event = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: 'cold-1',
  getRemainingTimeInMillis: () => 60000, callbackWaitsForEmptyEventLoop: true };
(async () => {
  const invokeStart = performance.now();
  const result = await mod.handler(event, context);
  const firstInvokeMs = performance.now() - invokeStart;
  await (mod.close ? mod.close() : mod.handler.stratus.close());
  fs.writeFileSync(process.argv[3], JSON.stringify({ initMs, requireMs: initMs - started, firstInvokeMs, result }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

interface Variant {
  name: string;
  entry: string;
  idempotency: boolean;
  dir: string;
}

interface ColdStart {
  initMs: number;
  requireMs: number;
  firstInvokeMs: number;
}

const spec = loadStratusOrThrow({ rootDir: ROOT });
const payments = spec.tenants.find((t) => t.name === 'payments')!;
const consumer = payments.consumers.find((c) => c.key === 'enrich-orders')!;
const source = payments.topics.find((t) => t.key === consumer.topicKey)!;
const target = payments.topics.find((t) => t.key === consumer.outputKey)!;

/** Bundles `entry` as the CDK does and lays out the asset directory (index.js and the schema files). */
async function bundle(entry: string, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  await build({
    ...consumerEsbuildOptions('node20', ROOT),
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    outfile: path.join(dir, 'index.js'),
    logLevel: 'silent',
  });
  copyFileSync(path.resolve(ROOT, source.schemaFile!), path.join(dir, BUNDLED_SCHEMA_FILE));
  copyFileSync(path.resolve(ROOT, target.schemaFile!), path.join(dir, BUNDLED_OUTPUT_SCHEMA_FILE));
  return readFileSync(path.join(dir, 'index.js')).length;
}

/** 100 created orders over the source topic's partitions, each with a fresh eventId (no idempotency hits). */
function orderEvent(seed: number, brokers: string): MskEvent {
  const generator = generatorFor(source, seed);
  const records = Array.from({ length: RECORDS }, (_, seq) => {
    const generated = generator.next(seq, 'valid');
    const value = JSON.parse(generated.value) as Record<string, unknown>;
    value.type = 'order.created';
    value.eventId = randomUUID();
    return encodeMskRecord({
      topic: source.name,
      partition: seq % source.partitions,
      offset: 1000 + seq,
      key: generated.key,
      value,
      timestamp: Date.now() - 1000,
    });
  });
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return buildMskEvent(records, undefined, brokers);
}

function coldStart(variant: Variant, eventFile: string, env: NodeJS.ProcessEnv): Promise<ColdStart> {
  const resultFile = path.join(variant.dir, 'result.json');
  rmSync(resultFile, { force: true });
  const profile = CPU_PROFILES ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILES}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, '-e', CHILD, path.join(variant.dir, 'index.js'), eventFile, resultFile],
    { cwd: variant.dir, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${variant.name} exited ${code}:\n${stderr.slice(-3000)}`));
      const out = JSON.parse(readFileSync(resultFile, 'utf8')) as ColdStart & { result: unknown };
      if (JSON.stringify(out.result) !== '{"batchItemFailures":[]}')
        return reject(new Error(`${variant.name} answered ${JSON.stringify(out.result)}`));
      resolve(out);
    });
  });
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-cold-'));
  if (CPU_PROFILES) mkdirSync(CPU_PROFILES, { recursive: true });
  const [kafka, aws] = await Promise.all([
    startKafka({
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir: path.join(scratch, 'kafka'),
      onProgress: log,
    }),
    startAwsEmulator({
      port: await freePort(),
      dataDir: path.join(scratch, 'aws'),
      logDir: scratch,
      onProgress: log,
    }),
  ]);
  try {
    const admin = new Kafka({
      clientId: 'bench',
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await provisionTopics(admin, payments.topics);
    await admin.disconnect();
    const table = await ensureIdempotencyTable({ endpoint: aws.endpoint, region: spec.platform.region });

    const variants: Variant[] = [
      { name: 'stratus', entry: 'functions/payments/enrich-orders.ts', idempotency: false },
      { name: 'bare', entry: 'bench/fixtures/bare-enrich-orders.ts', idempotency: false },
      ...(WITH_IDEMPOTENCY
        ? [
            { name: 'stratusIdempotency', entry: 'functions/payments/enrich-orders.ts', idempotency: true },
            { name: 'bareIdempotency', entry: 'bench/fixtures/bare-enrich-orders.ts', idempotency: true },
          ]
        : []),
    ].map((v) => ({ ...v, dir: path.join(scratch, v.name) }));
    const bundleBytes: Record<string, number> = {};
    for (const variant of variants)
      bundleBytes[variant.name] = await bundle(path.join(ROOT, variant.entry), variant.dir);

    const envOf = (variant: Variant): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      ...consumerEnvironment({
        tenant: payments.name,
        consumer: consumer.key,
        sourceTopic: consumer.topic,
        outputTopic: consumer.output,
        dlqTopic: consumer.onFailureTopic,
        kafkaBrokers: kafka.brokers.join(','),
        kafkaAuth: 'plaintext',
        idempotency:
          variant.idempotency && consumer.idempotency ? { ...consumer.idempotency, table } : undefined,
        schemaFile: BUNDLED_SCHEMA_FILE,
        outputSchemaFile: BUNDLED_OUTPUT_SCHEMA_FILE,
        // What the CDK sets by default (lib/aws/kafka-consumer.ts).
        logLevel: 'INFO',
        awsEndpoint: aws.endpoint,
      }),
      LAMBDA_TASK_ROOT: variant.dir,
      AWS_LAMBDA_FUNCTION_NAME: `stratus-payments-enrich-orders-${variant.name}`,
      AWS_REGION: spec.platform.region,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The Lambda runtime provides @aws-sdk/*, which the bundle leaves external.
      NODE_PATH: path.join(ROOT, 'node_modules'),
    });

    const runs: Record<string, ColdStart[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order too, so neither side always runs right after the other's broker work.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const [index, variant] of order.entries()) {
        const eventFile = path.join(variant.dir, 'event.json');
        writeFileSync(eventFile, JSON.stringify(orderEvent(round * 10 + index, kafka.brokers.join(','))));
        const run = await coldStart(variant, eventFile, envOf(variant));
        runs[variant.name]!.push(run);
        log(
          `round ${round + 1} ${variant.name}: init ${run.initMs.toFixed(0)} ms (require ${run.requireMs.toFixed(0)}), first invoke ${run.firstInvokeMs.toFixed(0)} ms`,
        );
      }
    }

    const figures: Record<string, unknown> = { records: RECORDS, rounds: ROUNDS, bundleBytes };
    const medians: Record<
      string,
      { initMs: number; requireMs: number; firstInvokeMs: number; totalMs: number }
    > = {};
    for (const variant of variants) {
      const list = runs[variant.name]!;
      medians[variant.name] = {
        initMs: Math.round(median(list.map((r) => r.initMs))),
        requireMs: Math.round(median(list.map((r) => r.requireMs))),
        firstInvokeMs: Math.round(median(list.map((r) => r.firstInvokeMs))),
        totalMs: Math.round(median(list.map((r) => r.initMs + r.firstInvokeMs))),
      };
    }
    figures.medians = medians;
    const ratios = (sdk: string, bare: string) => {
      const [a, b] = [medians[sdk]!, medians[bare]!];
      const ratio = (x: number, y: number) => Number((x / y).toFixed(2));
      return {
        init: ratio(a.initMs, b.initMs),
        require: ratio(a.requireMs, b.requireMs),
        firstInvoke: ratio(a.firstInvokeMs, b.firstInvokeMs),
        total: ratio(a.totalMs, b.totalMs),
      };
    };
    figures.ratio = ratios('stratus', 'bare');
    if (WITH_IDEMPOTENCY) figures.ratioIdempotency = ratios('stratusIdempotency', 'bareIdempotency');
    process.stdout.write(`${JSON.stringify({ bench: 'cold-start', ...figures })}\n`);
  } finally {
    await Promise.all([kafka.stop(), aws.stop()]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
