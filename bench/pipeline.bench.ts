/**
 * Records/s through the local pipeline on the example payments chain (orders → enrich-orders →
 * orders-enriched, ~1 KB JSON orders): the event-source emulator, the function host (worker threads), the
 * SDK processor and its output producer — against a raw kafkajs consume → produce pass-through on the same
 * broker in the same run (no decode, no schema, no handler). Printed as one JSON line with the ratio.
 *
 * Both sides read the same records already on a topic of the same partition count, from a fresh group, one
 * batch in flight per partition, and are timed in steady state: from the moment every partition finished its
 * first batch (worker start-up, i.e. the functions' cold starts, and group joins are out of the figure; the
 * cold start is what the `stratus dev` figures below show) to the last record. The pipeline runs twice:
 * with the manifest as written (idempotency on the local DynamoDB store: a claim transaction and batched
 * COMPLETED writes per invocation) and with idempotency
 * off, so the emulator + SDK cost and the idempotency cost are told apart. Rounds alternate pass-through and
 * pipeline and the median ratio counts (the machine is shared).
 *
 * BENCH_SIZES (default 5000; e.g. 5000,50000) records per run, one throughput measurement per size, printed
 * under `sizes` (the first size's figures also at the top level, as before); BENCH_RECORDS=<n> is BENCH_SIZES=<n>.
 * BENCH_ROUNDS (default 3) rounds per size, BENCH_PART=throughput|dev
 * runs one half.
 *
 * Also: seconds from starting `stratus dev` to its first delivered record, cold (a fresh state directory:
 * the broker is formatted and every consumer group is new; the Maven jars and the virtualenv are cached, as
 * after any first run) and warm (a second start on the same state).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { PRODUCER_CONFIG } from '../lib/core/kafka-producer.ts';
import { generatorFor } from '../lib/local/demo/generators.ts';
import { publish } from '../lib/local/demo/publish.ts';
import { namespacedTenant } from '../lib/local/namespace.ts';
import { captureProcessOutput } from '../lib/local/output-capture.ts';
import { startRuntime } from '../lib/local/runtime.ts';
import { provisionTopics } from '../lib/local/topics.ts';
import { loadStratusOrThrow } from '../lib/manifest/index.ts';
import type { TenantSpec } from '../lib/manifest/spec.ts';
import { startBenchServices } from './bench-services.ts';
import { ownServicesEnv, REPO_ROOT as ROOT, scratchProject } from './scratch-project.ts';

const SIZES = (process.env.BENCH_SIZES ?? process.env.BENCH_RECORDS ?? '5000').split(',').map(Number);
if (SIZES.some((size) => !Number.isInteger(size) || size <= 0))
  throw new Error(
    `BENCH_SIZES must be positive integers separated by commas, got "${process.env.BENCH_SIZES}"`,
  );
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
let say: (line: string) => void = (line) => {
  process.stderr.write(`# ${line}\n`);
};
const log = (line: string) => say(line);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** ~1 KB created orders (valid, pass the filter), the same bytes for every round. */
function orders(count: number) {
  const generator = generatorFor(spec.tenants.find((t) => t.name === 'payments')!.topics[0]!, 1);
  return Array.from({ length: count }, (_, seq) => {
    const record = generator.next(seq, 'valid');
    const value = JSON.parse(record.value) as Record<string, unknown>;
    value.type = 'order.created';
    return { key: record.key, value: JSON.stringify(value) };
  });
}

async function fill(kafka: Kafka, topic: string, messages: ReturnType<typeof orders>) {
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  await publish({ producer, topic, messages });
  await producer.disconnect();
}

/**
 * Times a run that starts cold: the clock starts once every partition has finished its first batch (so
 * worker start-up, the first producer connection and group joins are out of the figure), and the records
 * settled after that are counted.
 */
class SteadyClock {
  readonly #warm = new Set<number>();
  #started: number | undefined;
  #countedFrom = 0;
  #done = 0;
  constructor(
    private readonly partitions: number,
    private readonly records: number,
  ) {}
  /** One batch of `records` of `partition` finished at `now`; true once the measured part is complete. */
  settled(partition: number, records: number, now = performance.now()): boolean {
    this.#done += records;
    if (this.#started === undefined) {
      this.#warm.add(partition);
      if (this.#warm.size === this.partitions) {
        this.#started = now;
        this.#countedFrom = this.#done;
      }
    }
    return this.#done >= this.records;
  }
  rate(end: number): number {
    return (this.#done - this.#countedFrom) / ((end - this.#started!) / 1000);
  }
}

/** Raw kafkajs: consume a batch, produce its values to `out` (acks all), commit; records/s. */
async function passThrough(
  kafka: Kafka,
  from: string,
  to: string,
  partitions: number,
  records: number,
): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${from}.bench-raw`, allowAutoTopicCreation: false });
  const producer = kafka.producer(PRODUCER_CONFIG);
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: from, fromBeginning: true });
  const clock = new SteadyClock(partitions, records);
  const finished = new Promise<number>((resolve) => {
    void consumer.run({
      // One batch in flight per partition, as the event-source emulator runs them.
      partitionsConsumedConcurrently: partitions,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        await producer.send({
          topic: to,
          acks: -1,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        });
        if (clock.settled(batch.partition, batch.messages.length)) resolve(performance.now());
      },
    });
  });
  const end = await finished;
  await consumer.disconnect();
  await producer.disconnect();
  return clock.rate(end);
}

/** The local runtime on one namespaced copy of the payments tenant; records/s once every worker is warm. */
async function pipeline(
  brokers: string[],
  awsEndpoint: string,
  tenant: TenantSpec,
  records: number,
): Promise<number> {
  const clock = new SteadyClock(tenant.topics[0]!.partitions, records);
  let resolveDone: (at: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  const runtime = await startRuntime({
    spec: { ...spec, tenants: [tenant] },
    services: { brokers, awsEndpoint },
    metricsPort: false,
    // Handlers log at WARN, so the figure is not about writing INFO lines.
    functionLogLevel: 'WARN',
    observerFor: () => ({
      onInvocation: (info) => {
        if (info.ok && clock.settled(info.partition, info.records)) resolveDone(performance.now());
      },
    }),
  });
  const end = await done;
  await runtime.stop();
  return clock.rate(end);
}

/** Seconds from spawning `stratus dev` to its "first record delivered" line. */
async function devToFirstRecord(projectDir: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/stratus-cli.mjs'), 'dev', '--rate', '50'],
    {
      cwd: projectDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const seconds = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/first record delivered/.test(output)) resolve((performance.now() - started) / 1000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`stratus dev exited (${code}) before a record:\n${output.slice(-2000)}`)),
    );
  });
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
  return seconds;
}

const spec = loadStratusOrThrow({ rootDir: ROOT });

async function measureThroughput(figures: Record<string, unknown>): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-'));
  const { kafka, aws } = await startBenchServices(scratch, log);
  try {
    const client = new Kafka({ clientId: 'bench', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const payments = spec.tenants.find((t) => t.name === 'payments')!;
    const sizes: Record<string, Record<string, number>> = {};
    for (const [sizeIndex, records] of SIZES.entries()) {
      const data = orders(records);
      const rounds: Array<{ raw: number; sdk: number; sdkNoIdempotency: number }> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const withIdem = { ...namespacedTenant(payments, `s${sizeIndex}b${round}i`), sinks: [] };
        const without = namespacedTenant(payments, `s${sizeIndex}b${round}n`);
        const noIdem: TenantSpec = {
          ...without,
          sinks: [],
          consumers: without.consumers.map((c) => ({ ...c, idempotency: undefined })),
        };
        const rawTenant = namespacedTenant(payments, `s${sizeIndex}b${round}r`);
        await provisionTopics(admin, [...withIdem.topics, ...noIdem.topics, ...rawTenant.topics]);
        for (const t of [withIdem, noIdem, rawTenant]) await fill(client, t.topics[0]!.name, data);

        const [source, output] = rawTenant.topics;
        const raw = await passThrough(client, source!.name, output!.name, source!.partitions, records);
        const sdkNoIdempotency = await pipeline(kafka.brokers, aws.endpoint, noIdem, records);
        const sdk = await pipeline(kafka.brokers, aws.endpoint, withIdem, records);
        rounds.push({ raw, sdk, sdkNoIdempotency });
        log(
          `${records} records, round ${round + 1}: pass-through ${raw.toFixed(0)}/s, pipeline ${sdkNoIdempotency.toFixed(0)}/s without idempotency, ${sdk.toFixed(0)}/s with`,
        );
      }
      sizes[records] = {
        recordBytes: Math.round(data.reduce((sum, m) => sum + m.value.length, 0) / data.length),
        passThroughRecordsPerSecond: Math.round(median(rounds.map((r) => r.raw))),
        pipelineRecordsPerSecond: Math.round(median(rounds.map((r) => r.sdk))),
        pipelineNoIdempotencyRecordsPerSecond: Math.round(median(rounds.map((r) => r.sdkNoIdempotency))),
        ratio: Number(median(rounds.map((r) => r.sdk / r.raw)).toFixed(3)),
        ratioNoIdempotency: Number(median(rounds.map((r) => r.sdkNoIdempotency / r.raw)).toFixed(3)),
        // What idempotency costs: the pipeline as in the manifest against the same pipeline without it.
        ratioIdempotency: Number(median(rounds.map((r) => r.sdk / r.sdkNoIdempotency)).toFixed(3)),
      };
    }
    await admin.disconnect();
    // The first size's figures at the top level, where they were before BENCH_SIZES.
    Object.assign(figures, sizes[SIZES[0]!], { sizes });
  } finally {
    await Promise.all([kafka.stop(), aws.stop()]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function measureDevStartup(figures: Record<string, unknown>): Promise<void> {
  // Own broker and emulator on free ports: KAFKA_BROKERS / AWS_ENDPOINT_URL would skip what is being timed.
  const env = ownServicesEnv();
  const dir = await scratchProject('stratus-bench-dev-');
  try {
    figures.devFirstRecordColdSeconds = Number((await devToFirstRecord(dir, env)).toFixed(1));
    figures.devFirstRecordWarmSeconds = Number((await devToFirstRecord(dir, env)).toFixed(1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  // Handler workers print logs and EMF lines to this process's stdout, which must carry only the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const capture = captureProcessOutput(path.join(os.tmpdir(), `stratus-bench-pipeline-${process.pid}.log`));
  const print = capture.writerFor(process.stdout);
  const progress = capture.writerFor(process.stderr);
  say = (line) => progress(`# ${line}\n`);
  const figures: Record<string, unknown> = { records: SIZES[0] };
  try {
    // BENCH_PART=throughput or =dev runs one half.
    const part = process.env.BENCH_PART;
    if (part !== 'dev') await measureThroughput(figures);
    if (part !== 'throughput') await measureDevStartup(figures);
  } finally {
    capture.restore();
  }
  print(`${JSON.stringify({ bench: 'pipeline', ...figures })}\n`);
}

await main();
