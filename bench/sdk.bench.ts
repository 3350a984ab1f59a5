/**
 * Per-record cost of a processor with the full SDK against a bare handler doing the same business logic,
 * on batches of 100 records, plus the esbuild bundle sizes of the example handlers.
 *
 * SDK: decode (base64, UTF-8, JSON), schema validation (Ajv), per-record idempotency through Powertools with
 * its local cache, logs at INFO, EMF metrics, lineage headers and output serialisation.
 * Bare: base64 + JSON.parse, the same enrichOrder(), JSON.stringify of the output.
 * Neither side talks to the network, so the figure is the SDK's CPU cost, not DynamoDB's or Kafka's latency:
 * the idempotency store is an in-memory Powertools persistence layer (the same BasePersistenceLayer code path
 * as DynamoDB, without the client), and outputs go to a publisher that drops them. Log and EMF lines are
 * formatted as usual; only the final write to stdout is discarded (this process prints its figures there).
 * Quality rules: the same processor without idempotency, with and without 5 simple CEL input rules (the
 * difference is what the rules cost per record in the SDK), and the evaluator alone on the same records.
 * Rounds alternate SDK and bare. The machine is shared and noisy, and noise only ever adds time, so the headline
 * figures are each variant's best round (medians are printed too), in process CPU time rather than wall time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type EnrichedOrder, enrichOrder, type Order } from '../functions/payments/order.ts';
import { defineProcessor, type RecordPublisher } from '../functions/sdk/index.ts';
import { InMemoryPersistenceLayer } from '../functions/sdk/testing/index.ts';
import { consumerEsbuildOptions } from '../lib/aws/consumer-bundling.ts';
import { compileQualityRules } from '../lib/contracts/quality-rules.ts';
import { schemaFromFile } from '../lib/contracts/schema-files.ts';
import { consumerEnvironment } from '../lib/core/function-env.ts';
import { eventRecords, type MskEvent } from '../lib/core/msk-event.ts';
import { type QualityRule, serializeQualityRuleSet } from '../lib/core/quality-rule-set.ts';
import { lambdaContext, mskEvent } from '../test/unit/sdk/msk-fixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 100;
const BATCHES_PER_ROUND = 40;
const ROUNDS = 9;
const WARMUP_BATCHES = 60;

const dropPublisher: RecordPublisher = { publish: async () => {}, close: async () => {} };

function orderBatch(): MskEvent {
  return mskEvent(
    Array.from({ length: BATCH }, (_, i) => {
      const order: Order = {
        eventId: randomUUID(),
        type: 'order.created',
        orderId: `ord-${i.toString(36)}`,
        customerId: `cust-${i % 17}`,
        amount: 10 + i,
        currency: ['EUR', 'USD', 'GBP', 'CHF'][i % 4]!,
        items: [
          { sku: 'sku-1', quantity: 1 + (i % 3), unitPrice: 5 },
          { sku: 'sku-2', quantity: 1, unitPrice: 5 + i },
        ],
        country: 'DE',
        createdAt: '2026-11-24T08:00:00Z',
      };
      return {
        topic: 'payments.orders',
        partition: i % 6,
        offset: 1000 + i,
        key: order.orderId,
        value: order,
        headers: { 'correlation-id': `c-${i}` },
      };
    }),
  );
}

/** Five simple rules of the kind a team writes on orders. */
const FIVE_RULES: QualityRule[] = [
  { name: 'positive-amount', expression: 'value.amount > 0.0', severity: 'error' },
  { name: 'has-items', expression: 'value.items.size() > 0', severity: 'error' },
  { name: 'iso-currency', expression: 'value.currency.size() == 3', severity: 'error' },
  { name: 'has-customer', expression: 'value.customerId != ""', severity: 'error' },
  {
    name: 'known-type',
    expression: 'value.type in ["order.created", "order.updated", "order.cancelled"]',
    severity: 'warn',
  },
];
const rulesFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-')), 'rules.json');
writeFileSync(rulesFile, serializeQualityRuleSet({ input: FIVE_RULES, output: [] }));

function sdkProcessor(withIdempotency: boolean, withRules = false) {
  return defineProcessor<Order, EnrichedOrder>({
    env: consumerEnvironment({
      tenant: 'payments',
      consumer: 'enrich-orders',
      sourceTopic: 'payments.orders',
      outputTopic: 'payments.orders-enriched',
      dlqTopic: 'payments.dlq',
      kafkaBrokers: '127.0.0.1:1',
      kafkaAuth: 'plaintext',
      idempotency: withIdempotency ? { key: 'value.eventId', ttlMs: 3_600_000, table: 'unused' } : undefined,
      schemaFile: path.join(root, 'schemas/payments/order.schema.json'),
      qualityRulesFile: withRules ? rulesFile : undefined,
      logLevel: 'INFO',
    }),
    idempotency: { persistenceStore: new InMemoryPersistenceLayer() },
    publisher: dropPublisher,
    handler: (record) => enrichOrder(record.value, new Date()),
  });
}

const bareHandler = async (event: MskEvent): Promise<{ batchItemFailures: [] }> => {
  const out: string[] = [];
  for (const record of eventRecords(event)) {
    const order = JSON.parse(Buffer.from(record.value!, 'base64').toString('utf8')) as Order;
    const enriched = enrichOrder(order, new Date());
    if (enriched) out.push(JSON.stringify(enriched));
  }
  if (out.length !== BATCH) throw new Error('bare handler lost records');
  return { batchItemFailures: [] };
};

async function timeBatches(
  handler: (event: MskEvent) => Promise<unknown>,
  events: MskEvent[],
): Promise<number> {
  const started = process.hrtime.bigint();
  for (const event of events) await handler(event);
  return Number(process.hrtime.bigint() - started) / 1000 / (events.length * BATCH);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function bundleSize(handlerFile: string, qualityRules = false): Promise<number> {
  // Exactly as lib/aws/kafka-consumer.ts bundles them for its default runtime (Node.js 24); esbuild resolves the
  // kafkajs alias against the working directory, which is the project root here as in the CDK.
  const result = await build({
    ...consumerEsbuildOptions('node24', root, { qualityRules }),
    entryPoints: [path.join(root, handlerFile)],
    absWorkingDir: root,
    bundle: true,
    write: false,
    // Not written: the name only gives the licence file (linked from the bundle) a place, as the CDK's does.
    outfile: path.join(root, 'index.js'),
    logLevel: 'silent',
  });
  return result.outputFiles.find((file) => file.path.endsWith('index.js'))!.contents.byteLength;
}

const realWrite = process.stdout.write.bind(process.stdout);
const mute = () => {
  process.stdout.write = (() => true) as typeof process.stdout.write;
};
const unmute = () => {
  process.stdout.write = realWrite;
};

const context = lambdaContext('stratus-payments-enrich-orders', 900_000);
const checked = (handler: ReturnType<typeof sdkProcessor>) => async (event: MskEvent) => {
  const response = await handler(event, context);
  if (response.batchItemFailures.length > 0) throw new Error('SDK handler reported failures');
  return response;
};
const sdk = checked(sdkProcessor(true));
/** The same without idempotency, to show what the idempotency layer itself costs. */
const sdkWithoutIdempotency = checked(sdkProcessor(false));
const sdkWithRules = checked(sdkProcessor(false, true));
const evaluator = compileQualityRules(FIVE_RULES, schemaFromFile(root, 'schemas/payments/order.schema.json'));
/** The evaluator alone over the decoded values of the batches. */
async function timeEvaluator(events: MskEvent[]): Promise<number> {
  const values = events.flatMap((event) =>
    eventRecords(event).map((r) => JSON.parse(Buffer.from(r.value!, 'base64').toString('utf8')) as unknown),
  );
  const started = process.hrtime.bigint();
  for (const value of values)
    if (evaluator.evaluate(value, 'k') !== undefined) throw new Error('a rule failed');
  return Number(process.hrtime.bigint() - started) / 1000 / values.length;
}

mute();
try {
  const warmup = Array.from({ length: WARMUP_BATCHES }, orderBatch);
  await timeBatches(sdk, warmup);
  await timeBatches(sdkWithoutIdempotency, warmup);
  await timeBatches(bareHandler, warmup);
  await timeBatches(sdkWithRules, warmup);
  await timeEvaluator(warmup);
  const sdkRounds: number[] = [];
  const rulesRounds: number[] = [];
  const evaluatorRounds: number[] = [];
  const noIdempotencyRounds: number[] = [];
  const bareRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Fresh event ids every round: each record is new to the idempotency store, as in production.
    const events = Array.from({ length: BATCHES_PER_ROUND }, orderBatch);
    sdkRounds.push(await timeBatches(sdk, events));
    noIdempotencyRounds.push(await timeBatches(sdkWithoutIdempotency, events));
    bareRounds.push(await timeBatches(bareHandler, events));
    rulesRounds.push(await timeBatches(sdkWithRules, events));
    evaluatorRounds.push(await timeEvaluator(events));
  }
  unmute();
  const sdkUs = Math.min(...sdkRounds);
  const bareUs = Math.min(...bareRounds);
  const noIdempotencyUs = Math.min(...noIdempotencyRounds);
  const rulesUs = Math.min(...rulesRounds);
  const bundles = {
    'functions/payments/enrich-orders.ts': await bundleSize('functions/payments/enrich-orders.ts'),
    'functions/clickstream/sessionize.ts': await bundleSize('functions/clickstream/sessionize.ts'),
  };
  console.log(
    JSON.stringify({
      bench: 'sdk',
      batchSize: BATCH,
      recordsPerRound: BATCH * BATCHES_PER_ROUND,
      rounds: ROUNDS,
      sdkUsPerRecord: Number(sdkUs.toFixed(2)),
      bareUsPerRecord: Number(bareUs.toFixed(2)),
      sdkWithoutIdempotencyUsPerRecord: Number(Math.min(...noIdempotencyRounds).toFixed(2)),
      overheadUsPerRecord: Number((sdkUs - bareUs).toFixed(2)),
      ratio: Number((sdkUs / bareUs).toFixed(2)),
      goalOverheadUsPerRecord: 25,
      medianUsPerRecord: {
        sdk: Number(median(sdkRounds).toFixed(2)),
        sdkWithoutIdempotency: Number(median(noIdempotencyRounds).toFixed(2)),
        bare: Number(median(bareRounds).toFixed(2)),
      },
      qualityRules: {
        rules: FIVE_RULES.length,
        evaluatorUsPerRecord: Number(Math.min(...evaluatorRounds).toFixed(2)),
        sdkWithRulesUsPerRecord: Number(rulesUs.toFixed(2)),
        sdkRulesCostUsPerRecord: Number((rulesUs - noIdempotencyUs).toFixed(2)),
        goalUsPerRecord: 5,
      },
      bundleBytesMinified: bundles,
      bundleWithRulesBytesMinified: await bundleSize('functions/payments/enrich-orders.ts', true),
      bundleKiB: Object.fromEntries(
        Object.entries(bundles).map(([file, bytes]) => [file, Math.round(bytes / 1024)]),
      ),
      goalBundleKiB: 500,
    }),
  );
} finally {
  unmute();
}
