/**
 * A tenant's HTTP ingest function as Lambda runs it (lib/aws/ingest-endpoint.ts): functions/platform/ingest-handler.ts
 * bundled with the consumer functions' esbuild settings, laid out as the CDK asset (index.js, the Ajv companion
 * file, the ingest configuration with the topics' schemas), loaded by `require()` in a fresh Node.js process and
 * invoked with an API Gateway (payload 2.0) event. Its contracts are compiled at run time, so this is the function
 * that needs the Ajv companion on AWS: a schema violation must be refused and a valid order written to Kafka.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { consumerEsbuildOptions, copyConsumerCompanionFiles } from '../../../lib/aws/consumer-bundling.ts';
import { ingestConfig } from '../../../lib/ingest/ingest-config.ts';
import { BUNDLED_INGEST_CONFIG_FILE, INGEST_ENV } from '../../../lib/ingest/ingest-env.ts';
import type { IngestResponseBody } from '../../../lib/ingest/ingest-service.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/load.ts';
import { TEST_REGION, testServices, uniqueName } from '../../support/services.ts';
import { createTopics, readMessages } from '../sdk/helpers.ts';

const run = promisify(execFile);

/** Invokes the bundle once and writes its answer (the producer is not closed: the process exits). */
const INVOKE = `
const fs = require('node:fs');
const [bundle, eventFile, resultFile] = process.argv.slice(1);
const { handler } = require(bundle);
const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: 'req-ingest-1',
  getRemainingTimeInMillis: () => 29000, callbackWaitsForEmptyEventLoop: true };
(async () => {
  const result = await handler(JSON.parse(fs.readFileSync(eventFile, 'utf8')), context);
  const ajvLoaded = Object.keys(require.cache).some((file) => file.endsWith('/stratus-ajv.cjs'));
  fs.writeFileSync(resultFile, JSON.stringify({ result, ajvLoaded }));
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
`;

const order = (orderId: string, amount: unknown) => ({
  eventId: `5c1d7a20-4b7e-4e0a-9f3c-${orderId.replace(/\D/g, '').padStart(12, '0')}`,
  type: 'order.created',
  orderId,
  customerId: 'cust-1',
  amount,
  currency: 'EUR',
  items: [{ sku: 'sku-1', quantity: 1, unitPrice: 10 }],
  country: 'DE',
  createdAt: '2026-12-01T08:00:00Z',
});

describe('the bundled ingest function', () => {
  it('compiles its contracts with the Ajv companion: a valid order is written, a schema violation refused', async () => {
    const spec = loadStratusOrThrow();
    const root = spec.platform.rootDir;
    const payments = spec.tenants.find((t) => t.name === 'payments')!;
    const config = ingestConfig(payments)!;
    const topic = `${config.topics[0]!.name}-${uniqueName('ingest')}`;
    const kafka = testServices().kafka('bundled-ingest-test');
    await createTopics(kafka, [{ topic, numPartitions: 1 }]);
    const asConfigured = { ...config, topics: [{ ...config.topics[0]!, name: topic }] };

    // As lib/aws/ingest-endpoint.ts bundles it (its runtime is Node.js 24; the local Node.js runs that output).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-ingest-bundle-'));
    await build({
      ...consumerEsbuildOptions('node24', root, {
        qualityRules: asConfigured.topics.some((t) => t.quality.length > 0),
      }),
      absWorkingDir: root,
      entryPoints: [path.join(root, 'functions/platform/ingest-handler.ts')],
      bundle: true,
      outfile: path.join(dir, 'index.js'),
      logLevel: 'silent',
    });
    copyConsumerCompanionFiles(dir);
    writeFileSync(path.join(dir, BUNDLED_INGEST_CONFIG_FILE), JSON.stringify(asConfigured));

    const body = [JSON.stringify(order('ord-i1', 25)), JSON.stringify(order('ord-i2', 'ten'))].join('\n');
    const event = {
      version: '2.0',
      routeKey: 'POST /ingest/payments/{topic}',
      rawPath: `/ingest/payments/${config.topics[0]!.key}`,
      headers: { 'content-type': 'application/x-ndjson' },
      pathParameters: { topic: config.topics[0]!.key },
      body,
      isBase64Encoded: false,
    };
    const eventFile = path.join(dir, 'event.json');
    const resultFile = path.join(dir, 'result.json');
    writeFileSync(eventFile, JSON.stringify(event));
    try {
      await run(process.execPath, ['-e', INVOKE, path.join(dir, 'index.js'), eventFile, resultFile], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          LAMBDA_TASK_ROOT: dir,
          [INGEST_ENV.configFile]: BUNDLED_INGEST_CONFIG_FILE,
          [INGEST_ENV.kafkaBrokers]: testServices().brokers.join(','),
          [INGEST_ENV.kafkaAuth]: 'plaintext',
          POWERTOOLS_SERVICE_NAME: 'payments',
          POWERTOOLS_METRICS_NAMESPACE: 'Stratus',
          POWERTOOLS_LOG_LEVEL: 'WARN',
          AWS_LAMBDA_FUNCTION_NAME: 'stratus-payments-ingest',
          AWS_REGION: TEST_REGION,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          // The Lambda runtime provides @aws-sdk/*, which the bundle leaves external.
          NODE_PATH: path.join(root, 'node_modules'),
        },
      });
    } catch (error) {
      throw new Error(String((error as { stderr?: string }).stderr || error));
    }
    const { result, ajvLoaded } = JSON.parse(readFileSync(resultFile, 'utf8')) as {
      result: { statusCode: number; body: string };
      ajvLoaded: boolean;
    };
    expect(ajvLoaded).toBe(true);
    expect(result.statusCode).toBe(207);
    const answer = JSON.parse(result.body) as IngestResponseBody;
    expect(answer).toMatchObject({ accepted: 1, rejected: 1, failed: 0 });
    expect(answer.results).toEqual([
      { index: 0, status: 'accepted' },
      expect.objectContaining({ index: 1, status: 'rejected', reason: 'SCHEMA_VIOLATION' }),
    ]);
    const [written] = await readMessages(kafka, topic, 1);
    expect(written!.key).toBe('ord-i1');
    expect(JSON.parse(written!.value!)).toEqual(order('ord-i1', 25));
  });
});
