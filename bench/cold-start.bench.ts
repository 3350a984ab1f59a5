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
 * stratus/bare (the issue's goal: ≤ 1.2). BENCH_IDEMPOTENCY=0 skips the idempotent pair.
 *
 * BENCH_CPU_PROF=<dir> profiles every child (node --cpu-prof, profiles kept in <dir>) and prints on stderr where
 * each variant's last cold start spent its time, per package; the bundles are then left unminified so the
 * profile can name modules, and the last round's bundle is kept beside its profile (the timings of such a run
 * are not the figures).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { BUNDLED_OUTPUT_SCHEMA_FILE, BUNDLED_SCHEMA_FILE } from '../lib/aws/kafka-consumer.ts';
import { consumerEnvironment } from '../lib/core/function-env.ts';
import { ensureIdempotencyTable } from '../lib/local/aws-resources.ts';
import { provisionTopics } from '../lib/local/topics.ts';
import { loadStratusOrThrow } from '../lib/manifest/index.ts';
import {
  bundleFunction,
  type ColdInvocation,
  invokeInFreshProcess,
} from '../test/support/bundled-function.ts';
import { orderEvent } from '../test/support/order-events.ts';
import { startBenchServices } from './bench-services.ts';
import { profileByPackage } from './cpu-profile-summary.ts';
import { REPO_ROOT as ROOT } from './scratch-project.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WITH_IDEMPOTENCY = process.env.BENCH_IDEMPOTENCY !== '0';
const CPU_PROFILES = process.env.BENCH_CPU_PROF;
const RECORDS = 100;
const log = (line: string) => process.stderr.write(`# ${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Variant {
  name: string;
  entry: string;
  idempotency: boolean;
  dir: string;
}

const spec = loadStratusOrThrow({ rootDir: ROOT });
const payments = spec.tenants.find((t) => t.name === 'payments')!;
const consumer = payments.consumers.find((c) => c.key === 'enrich-orders')!;
const source = payments.topics.find((t) => t.key === consumer.topicKey)!;
const target = payments.topics.find((t) => t.key === consumer.outputKey)!;

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-cold-'));
  if (CPU_PROFILES) mkdirSync(CPU_PROFILES, { recursive: true });
  const { kafka, aws } = await startBenchServices(scratch, log);
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
      bundleBytes[variant.name] = await bundleFunction({
        root: ROOT,
        entry: variant.entry,
        dir: variant.dir,
        schemaFile: source.schemaFile,
        outputSchemaFile: target.schemaFile,
        minify: !CPU_PROFILES,
      });

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

    const runs: Record<string, ColdInvocation[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order too, so neither side always runs right after the other's broker work.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const [index, variant] of order.entries()) {
        const event = orderEvent({
          topic: source,
          count: RECORDS,
          seed: round * 10 + index,
          bootstrapServers: kafka.brokers.join(','),
          createdOnly: true,
        });
        const profileDir = CPU_PROFILES && path.join(CPU_PROFILES, `${variant.name}-${round}`);
        const run = await invokeInFreshProcess({
          dir: variant.dir,
          event,
          env: envOf(variant),
          cpuProfileDir: profileDir,
        });
        if (JSON.stringify(run.result) !== '{"batchItemFailures":[]}')
          throw new Error(`${variant.name} answered ${JSON.stringify(run.result)}`);
        if (profileDir && round === ROUNDS - 1) {
          const [profile] = readdirSync(profileDir);
          // Kept beside its profile: the bundle's module markers are what name the profile's lines.
          copyFileSync(path.join(variant.dir, 'index.js'), path.join(profileDir, 'index.js'));
          const top = profileByPackage(path.join(profileDir, profile!), path.join(variant.dir, 'index.js'));
          log(
            `${variant.name} CPU profile (self ms): ${top.map(([name, ms]) => `${name} ${ms.toFixed(0)}`).join(', ')}`,
          );
        }
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
