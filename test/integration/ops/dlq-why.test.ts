/**
 * "Why did it fail?": `stratus dlq show` and `dlq list --verbose` find the handler's last error and stack for a
 * RETRIES_EXHAUSTED dead letter in the function logs. Locally for real: `stratus dev` (a child process) runs a
 * handler that throws, the event-source emulator dead-letters the record, the SDK's ERROR line is in
 * .stratus/logs/functions.log. On AWS: the function's log group in moto's CloudWatch Logs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildDeadLetter } from '../../../lib/core/dlq-envelope.ts';
import { encodeMskRecord } from '../../../lib/core/msk-event.ts';
import { consumerFunctionName } from '../../../lib/core/naming.ts';
import type { DlqListing } from '../../../lib/ops/dlq/list.ts';
import type { FailureExplanation } from '../../../lib/ops/dlq/why.ts';
import { TEST_REGION, testServices } from '../../support/services.ts';
import { runCli } from './cli.ts';
import { createOpsProject } from './project.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const { kafka, brokers, aws, awsEndpoint } = testServices();
const client = kafka('dlq-why');
const kafkaFlags = ['--brokers', brokers.join(',')];

const FAILING_HANDLER = `import { defineConsumer } from '${REPO}/functions/sdk/index.ts';
class UnknownCurrencyError extends Error {
  name = 'UnknownCurrencyError';
}
function convert(order) {
  if (order.currency === 'XAU') throw new UnknownCurrencyError('no FX rate for XAU');
  return order;
}
export const handler = defineConsumer({ handler: (record) => void convert(record.value) });
`;

describe('dlq why, locally: stratus dev writes the function logs, dlq show reads the error back', () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
  });

  it('shows the handler error and stack of a RETRIES_EXHAUSTED record', { timeout: 240_000 }, async () => {
    const project = await createOpsProject(client, brokers, {
      partitions: 1,
      files: { 'functions/enrich.ts': FAILING_HANDLER },
    });
    const tenant = project.tenant.name;
    const functionsLog = () => {
      try {
        return readFileSync(path.join(project.rootDir, '.stratus/logs/functions.log'), 'utf8').slice(-3000);
      } catch {
        return '(none)';
      }
    };

    let output = '';
    child = spawn(process.execPath, [path.join(REPO, 'bin/stratus-cli.mjs'), 'dev', '--no-producer'], {
      cwd: project.rootDir,
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), AWS_ENDPOINT_URL: awsEndpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => output, { timeout: 120_000, interval: 250 }).toMatch(/ready in/);

    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic: `${tenant}.orders`,
      messages: [
        { key: 'o-1', value: JSON.stringify({ id: 1, currency: 'EUR' }) },
        { key: 'o-2', value: JSON.stringify({ id: 2, currency: 'XAU' }) },
      ],
    });
    await producer.disconnect();

    let listing: DlqListing | undefined;
    await expect
      .poll(
        async () => {
          const listed = await runCli(project, ['dlq', 'list', '--tenant', tenant, '--json'], kafkaFlags);
          listing = JSON.parse(listed.out) as DlqListing;
          return listing.entries.length;
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toBe(1)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nstratus dev said:\n${output}\nfunctions.log:\n${functionsLog()}`);
      });
    const entry = listing!.entries[0]!;
    expect(entry.envelope).toMatchObject({ reason: 'RETRIES_EXHAUSTED', source: { offset: 1 } });

    const shown = await runCli(project, ['dlq', 'show', entry.id, '--tenant', tenant], kafkaFlags);
    expect(shown.code, shown.err).toBe(0);
    const why = (JSON.parse(shown.out) as { why: FailureExplanation }).why;
    expect(why).toMatchObject({
      kind: 'handler-error',
      error: {
        class: 'UnknownCurrencyError',
        message: 'no FX rate for XAU',
        foundIn: '.stratus/logs/functions.log',
      },
    });
    if (why.kind !== 'handler-error') throw new Error('unreachable');
    expect(why.error.stack.some((frame) => frame.includes('convert') && frame.includes('enrich.ts'))).toBe(
      true,
    );

    const verbose = await runCli(project, ['dlq', 'list', '--tenant', tenant, '--verbose'], kafkaFlags);
    expect(verbose.out).toContain('last handler error: UnknownCurrencyError: no FX rate for XAU');
    expect(verbose.out).toMatch(/at convert \(.*enrich\.ts/);

    child.kill('SIGINT');
    await new Promise((resolve) => child!.once('exit', resolve));
  });
});

describe('dlq why, on AWS: CloudWatch Logs FilterLogEvents (moto)', () => {
  it('picks the latest ERROR line of exactly this record and consumer, and says so when none is found', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', awsEndpoint);
    const project = await createOpsProject(client, brokers, { partitions: 1 });
    const tenant = project.tenant.name;
    const source = encodeMskRecord({
      topic: `${tenant}.orders`,
      partition: 1,
      offset: 41,
      value: { id: 41 },
    });
    const firstFailureAt = new Date(Date.now() - 60_000);
    const { message } = buildDeadLetter({
      tenant,
      consumer: 'enrich',
      reason: 'RETRIES_EXHAUSTED',
      error: { class: 'FunctionError', message: 'the function reported failed records' },
      record: source,
      attempts: 2,
      firstFailureAt,
    });
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic: `${tenant}.dlq`, messages: [message] });
    await producer.disconnect();

    const show = () =>
      runCli(
        project,
        ['dlq', 'show', '0:0', '--tenant', tenant, '--aws', '--region', TEST_REGION],
        kafkaFlags,
      );
    const before = JSON.parse((await show()).out) as { why: FailureExplanation };
    expect(before.why).toMatchObject({ kind: 'not-found' });
    expect(JSON.stringify(before.why)).toContain(
      `/aws/lambda/${consumerFunctionName(tenant, 'enrich')} (the log group does not exist)`,
    );

    const logs = new CloudWatchLogsClient(aws);
    const logGroupName = `/aws/lambda/${consumerFunctionName(tenant, 'enrich')}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: '2026/11/30/[$LATEST]abc' }));
    const line = (at: number, fields: Record<string, unknown>) => ({
      timestamp: at,
      message: JSON.stringify({
        level: 'ERROR',
        message: 'record failed; it is reported, and its partition is re-delivered from it',
        timestamp: new Date(at).toISOString(),
        tenant,
        consumer: 'enrich',
        topic: `${tenant}.orders`,
        partition: 1,
        offset: 41,
        function_request_id: `req-${at}`,
        ...fields,
      }),
    });
    const t0 = firstFailureAt.getTime();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: '2026/11/30/[$LATEST]abc',
        logEvents: [
          line(t0, {
            error: {
              name: 'TimeoutError',
              message: 'attempt 1',
              stack: 'TimeoutError: attempt 1\n    at a (x.js:1:1)',
            },
          }),
          line(t0 + 100, { offset: 40, error: { name: 'WrongRecord', message: 'offset 40' } }),
          line(t0 + 200, { consumer: 'other', error: { name: 'WrongConsumer', message: 'other consumer' } }),
          { timestamp: t0 + 300, message: 'START RequestId: 1 Version: $LATEST' },
          line(t0 + 400, {
            error: {
              name: 'RangeError',
              message: 'attempt 2',
              stack: 'RangeError: attempt 2\n    at b (y.js:2:2)',
            },
          }),
          line(t0 + 500, { level: 'INFO', message: 'batch processed' }),
        ],
      }),
    );
    const after = JSON.parse((await show()).out) as { why: FailureExplanation };
    expect(after.why).toMatchObject({
      kind: 'handler-error',
      error: {
        class: 'RangeError',
        message: 'attempt 2',
        stack: ['RangeError: attempt 2', 'at b (y.js:2:2)'],
        requestId: `req-${t0 + 400}`,
        foundIn: `${logGroupName} 2026/11/30/[$LATEST]abc`,
      },
    });
    vi.unstubAllEnvs();
  });
});
