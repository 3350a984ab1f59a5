/**
 * The payments enrich-orders handler as Lambda runs it: bundled with the CDK's esbuild settings
 * (lib/aws/consumer-bundling.ts, which swaps kafkajs for its producer-only entry, and leaves Ajv and Powertools
 * Idempotency to companion files loaded when needed), laid out like the CDK asset (index.js, the companions, the
 * two schema files and their precompiled validators), loaded by plain `require()` in a separate Node.js process with the
 * environment consumerEnvironment() gives the function, and invoked with an MSK event. Its outputs and dead
 * letters must land in the run's real Kafka broker. `@aws-sdk/*` is external in the bundle, as the Lambda
 * runtime provides it; NODE_PATH stands in for that here.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SDK_COMPANION_FILES } from '../../../functions/sdk/companions.ts';
import { AJV_COMPANION_FILE } from '../../../lib/aws/ajv-companion.ts';
import { consumerEsbuildOptions, copyConsumerCompanionFiles } from '../../../lib/aws/consumer-bundling.ts';
import { BUNDLED_OUTPUT_SCHEMA_FILE, BUNDLED_SCHEMA_FILE } from '../../../lib/aws/kafka-consumer.ts';
import { writePrecompiledValidator } from '../../../lib/contracts/precompiled-validator-code.ts';
import { parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { consumerEnvironment } from '../../../lib/core/function-env.ts';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/load.ts';
import { TEST_REGION, testServices, uniqueName } from '../../support/services.ts';
import { mskEvent } from '../../unit/sdk/msk-fixtures.ts';
import { createIdempotencyTable, createTopics, readMessages, topicSize } from './helpers.ts';

const run = promisify(execFile);

/**
 * Loads the bundle as the Node.js runtime does, invokes it with the event (twice: the second a redelivery, as the
 * event-source mapping retries a batch), closes its producer, writes the responses and the companion files the
 * process loaded, and whether Node's web streams were loaded (middy imports them for response streaming only).
 */
const INVOKE = `
const fs = require('node:fs');
const path = require('node:path');
const [bundle, eventFile, resultFile, invocations] = process.argv.slice(1);
const { handler } = require(bundle);
const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60000, callbackWaitsForEmptyEventLoop: true };
(async () => {
  const results = [];
  for (let i = 0; i < Number(invocations); i++)
    results.push(await handler(JSON.parse(fs.readFileSync(eventFile, 'utf8')), context));
  await handler.stratus?.close();
  const companionsLoaded = Object.keys(require.cache)
    .filter((file) => path.dirname(file) === path.dirname(bundle) && file.endsWith('.cjs') && !file.endsWith('.validate.cjs'))
    .map((file) => path.basename(file)).sort();
  const webStreamsLoaded = process.moduleLoadList.includes('NativeModule stream/web');
  fs.writeFileSync(resultFile, JSON.stringify({ results, companionsLoaded, webStreamsLoaded }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

const uuid = (n: number) => `5c1d7a20-4b7e-4e0a-9f3c-${String(n).padStart(12, '0')}`;
const order = (n: number, currency: string, amount = 120) => ({
  eventId: uuid(n),
  type: 'order.created',
  orderId: `ord-b${n}`,
  customerId: 'cust-1',
  amount,
  currency,
  items: [{ sku: 'sku-1', quantity: 3, unitPrice: 40 }],
  country: 'FR',
  createdAt: '2026-11-24T08:00:00Z',
});

/** The example the test bundles: payments' enrich-orders, as the manifest declares it. */
const spec = loadStratusOrThrow();
const tenant = spec.tenants.find((t) => t.name === 'payments')!;
const consumer = tenant.consumers.find((c) => c.key === 'enrich-orders')!;

let kafka: Kafka;
let dir: string;
let metafile: Metafile;

beforeAll(async () => {
  kafka = testServices().kafka('sdk-bundled-test');
  const root = spec.platform.rootDir;
  dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-bundle-'));
  // The CDK's settings for its default runtime; the local Node.js (20) runs the node24-target output as well.
  const result = await build({
    ...consumerEsbuildOptions('node24', root),
    absWorkingDir: root,
    entryPoints: [path.join(root, 'functions/payments/enrich-orders.ts')],
    bundle: true,
    outfile: path.join(dir, 'index.js'),
    metafile: true,
    logLevel: 'silent',
  });
  metafile = result.metafile;
});

describe('a bundled example handler', () => {
  it('takes kafkajs from its prebuilt producer-only file, without consumer and admin code', () => {
    const inputs = Object.keys(metafile.inputs);
    // The prebuilt file is kafkajs for the bundle: none of kafkajs' own modules is bundled beside it.
    expect(inputs).toContain('node_modules/.cache/stratus/kafkajs-producer.cjs');
    expect(inputs.filter((file) => file.includes('node_modules/kafkajs/'))).toEqual([]);
    // What that file holds is checked in test/cdk/consumer-bundling.test.ts.
  });

  it('payments enrich-orders, loaded by require(), produces its outputs and dead letters to Kafka', async () => {
    // As the CDK lays out the asset: the schemas with their precompiled validators, so Ajv is never loaded.
    const asset = assetDir({ companions: true, precompiledValidators: true });
    const outcome = await invokeEnrichOrders(asset);
    expect(outcome.result).toEqual({ batchItemFailures: [] });
    // Ajv is never loaded; Powertools Idempotency is, since the manifest turns it on.
    expect(outcome.companionsLoaded).toEqual([SDK_COMPANION_FILES.idempotency]);
    // middy's `node:stream/web` import is the bundle's lazy stand-in: a consumer never streams a response.
    expect(outcome.webStreamsLoaded).toBe(false);

    const produced = await readMessages(kafka, outcome.output, 2);
    expect(produced.map((m) => m.key).sort()).toEqual(['ord-b1', 'ord-b3']);
    expect(produced.map((m) => JSON.parse(m.value!).eventId).sort()).toEqual([uuid(1), uuid(3)]);
    // Records and headers as the bundle's kafkajs encoded them (its faster encoder), read back from the broker.
    for (const message of produced)
      expect(message.headers).toMatchObject({
        [LINEAGE_HEADERS.tenant]: 'payments',
        [LINEAGE_HEADERS.consumer]: 'enrich-orders',
        [LINEAGE_HEADERS.sourcePartition]: expect.stringMatching(/^\d+$/),
        [LINEAGE_HEADERS.sourceOffset]: expect.stringMatching(/^\d+$/),
      });
    await expectSchemaViolationDeadLetter(outcome.dlq);
  });

  it('does not carry Ajv: a validator that is not precompiled loads it from the companion file beside the bundle', async () => {
    expect(metafile.inputs).not.toHaveProperty(['node_modules/ajv/dist/ajv.js']);
    expect(Object.keys(metafile.inputs).filter((file) => file.includes('node_modules/ajv'))).toEqual([]);
    // No precompiled validators: the SDK compiles both schemas with Ajv, which must come from the companion.
    const outcome = await invokeEnrichOrders(assetDir({ companions: true, precompiledValidators: false }));
    expect(outcome.companionsLoaded).toContain(AJV_COMPANION_FILE);
    expect(outcome.result).toEqual({ batchItemFailures: [] });
    expect((await readMessages(kafka, outcome.output, 2)).map((m) => m.key).sort()).toEqual([
      'ord-b1',
      'ord-b3',
    ]);
    await expectSchemaViolationDeadLetter(outcome.dlq);
  });

  it('says what is missing when a schema must be compiled and the asset lacks the Ajv companion', async () => {
    const failure = await invokeEnrichOrders(
      assetDir({ companions: false, precompiledValidators: false }),
    ).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /Ajv is not in this function's asset: .*stratus-ajv\.cjs could not be loaded .*redeploy the tenant stack/,
    );
  });

  it('leaves Powertools Idempotency out of the bundle; its companion skips the redelivered batch', async () => {
    expect(
      Object.keys(metafile.inputs).filter((file) => file.includes('@aws-lambda-powertools/idempotency')),
    ).toEqual([]);
    const outcome = await invokeEnrichOrders(assetDir({ companions: true, precompiledValidators: true }));
    expect(outcome.results).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    // Two outputs in all: the redelivery's valid records were skipped as already processed. The invalid one has
    // no key (the key is read from the decoded value), so it is dead-lettered again: dead letters are at least once.
    expect(await topicSize(kafka, outcome.output)).toBe(2);
    expect(await topicSize(kafka, outcome.dlq)).toBe(2);
  });

  it('without idempotency in the manifest, never loads the Idempotency companion', async () => {
    const outcome = await invokeEnrichOrders(assetDir({ companions: true, precompiledValidators: true }), {
      idempotency: false,
    });
    expect(outcome.results).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(outcome.companionsLoaded).toEqual([]);
    // Without idempotency the redelivery is processed again: at least once.
    expect(await topicSize(kafka, outcome.output)).toBe(4);
  });

  it('says what is missing when idempotency is on and the asset lacks its companion', async () => {
    const failure = await invokeEnrichOrders(
      assetDir({ companions: false, precompiledValidators: true }),
    ).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /Powertools Idempotency is not in this function's asset: .*stratus-idempotency\.cjs could not be loaded .*redeploy the tenant stack/,
    );
  });
});

/** A copy of the bundle laid out as an asset: with or without its companion files and precompiled validators. */
function assetDir(layout: { companions: boolean; precompiledValidators: boolean }): string {
  const asset = mkdtempSync(path.join(os.tmpdir(), 'stratus-asset-'));
  for (const file of ['index.js', 'index.js.LEGAL.txt'])
    copyFileSync(path.join(dir, file), path.join(asset, file));
  if (layout.companions) copyConsumerCompanionFiles(asset);
  for (const [key, bundled] of [
    [consumer.topicKey, BUNDLED_SCHEMA_FILE],
    [consumer.outputKey, BUNDLED_OUTPUT_SCHEMA_FILE],
  ] as const) {
    const schemaText = readFileSync(
      path.resolve(spec.platform.rootDir, tenant.topics.find((t) => t.key === key)!.schemaFile!),
      'utf8',
    );
    writeFileSync(path.join(asset, bundled), schemaText);
    if (layout.precompiledValidators)
      writePrecompiledValidator(path.join(asset, bundled), JSON.parse(schemaText));
  }
  return asset;
}

interface Outcome {
  /** The first invocation's response. */
  result: unknown;
  /** Both invocations' responses. */
  results: unknown[];
  /** The companion files beside the bundle that the function's process loaded. */
  companionsLoaded: string[];
  /** Whether Node's `stream/web` module was loaded in the function's process. */
  webStreamsLoaded: boolean;
  output: string;
  dlq: string;
}

/**
 * Invokes the bundle in `asset` with two valid orders and one the schema refuses (amount 0), on fresh topics,
 * twice (the second a redelivery of the same batch).
 */
async function invokeEnrichOrders(asset: string, options: { idempotency?: boolean } = {}): Promise<Outcome> {
  const suffix = uniqueName('b');
  const output = `${consumer.output}-${suffix}`;
  const dlq = `${consumer.onFailureTopic}-${suffix}`;
  await createTopics(kafka, [{ topic: output, numPartitions: 3 }, { topic: dlq }]);
  const { table } = await createIdempotencyTable();
  const env = consumerEnvironment({
    tenant: 'payments',
    consumer: consumer.key,
    sourceTopic: consumer.topic,
    outputTopic: output,
    dlqTopic: dlq,
    kafkaBrokers: testServices().brokers.join(','),
    kafkaAuth: 'plaintext',
    idempotency:
      options.idempotency === false || !consumer.idempotency ? undefined : { ...consumer.idempotency, table },
    schemaFile: BUNDLED_SCHEMA_FILE,
    outputSchemaFile: BUNDLED_OUTPUT_SCHEMA_FILE,
    logLevel: 'INFO',
    awsEndpoint: testServices().awsEndpoint,
  });

  const eventFile = path.join(asset, 'event.json');
  const resultFile = path.join(asset, 'result.json');
  writeFileSync(
    eventFile,
    JSON.stringify(
      mskEvent([
        { topic: consumer.topic, partition: 0, offset: 1, key: 'ord-b1', value: order(1, 'USD') },
        { topic: consumer.topic, partition: 1, offset: 2, key: 'ord-b2', value: order(2, 'GBP', 0) },
        { topic: consumer.topic, partition: 1, offset: 3, key: 'ord-b3', value: order(3, 'GBP') },
      ]),
    ),
  );
  try {
    await run(process.execPath, ['-e', INVOKE, path.join(asset, 'index.js'), eventFile, resultFile, '2'], {
      cwd: asset,
      env: {
        PATH: process.env.PATH,
        ...env,
        LAMBDA_TASK_ROOT: asset,
        AWS_LAMBDA_FUNCTION_NAME: 'stratus-payments-enrich-orders',
        AWS_REGION: TEST_REGION,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL: testServices().awsEndpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // The Lambda runtime provides @aws-sdk/*, which the bundle leaves external.
        NODE_PATH: path.join(spec.platform.rootDir, 'node_modules'),
      },
    });
  } catch (error) {
    throw new Error(String((error as { stderr?: string }).stderr || error));
  }
  const { results, companionsLoaded, webStreamsLoaded } = JSON.parse(readFileSync(resultFile, 'utf8'));
  return { result: results[0], results, companionsLoaded, webStreamsLoaded, output, dlq };
}

async function expectSchemaViolationDeadLetter(dlq: string): Promise<void> {
  const [deadLetter] = await readMessages(kafka, dlq, 1);
  const parsed = parseDlqEnvelope(deadLetter!.value);
  expect(parsed.ok && parsed.envelope).toMatchObject({
    tenant: 'payments',
    consumer: 'enrich-orders',
    reason: 'SCHEMA_VIOLATION',
    source: { partition: 1, offset: 2 },
  });
}
