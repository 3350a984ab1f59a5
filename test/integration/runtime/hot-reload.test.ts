/**
 * Hot reload in `stratus dev`, as a user sees it, in a child process against the shared broker: records flow
 * through a processor while its handler file is edited (new behaviour within a bound, no record lost or
 * duplicated, old then new code per partition), an invalid manifest edit keeps the running version and prints
 * the validation error, a new consumer (and topic) is started and a removed one stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/local/process-utils.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { REPO } from './project.ts';

const { brokers, awsEndpoint, kafka } = testServices();
const client = kafka('hot-reload');
const tenant = uniqueName('hot');
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-hot-'));
const handlerFile = path.join(root, 'functions', tenant, 'copy.ts');

const handler = (version: number) => `import { defineProcessor } from '${REPO}/functions/sdk/index.ts';
export const handler = defineProcessor<{ n: number }, { n: number; version: number }>({
  handler: (record) => ({ n: record.value.n, version: ${version} }),
});
`;
const manifest = (
  extra: { consumers?: string; topics?: string; batchSize?: number } = {},
) => `# hot reload test
tenant: ${tenant}
owners: [hot@example.com]
costCenter: cc-1
topics:
  in: { partitions: 3, retention: 1d }
  out: { partitions: 3, retention: 1d }
${extra.topics ?? ''}consumers:
  copy:
    topic: in
    output: out
    handler: functions/${tenant}/copy.ts
    batchSize: ${extra.batchSize ?? 100}
${extra.consumers ?? ''}`;
const AUDIT = {
  topics: '  audit: { partitions: 1, retention: 1d }\n',
  consumers: `  audit:\n    topic: in\n    handler: functions/${tenant}/copy.ts\n    output: audit\n`,
};

describe('stratus dev hot reload', () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('swaps a handler while records flow, re-plans manifest edits and keeps running through a bad one', {
    timeout: 300_000,
  }, async () => {
    mkdirSync(path.dirname(handlerFile), { recursive: true });
    mkdirSync(path.join(root, 'tenants'));
    writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      path.join(root, 'stratus.config.yaml'),
      `local: { metricsPort: ${await freePort()}, stateDir: .stratus }\n`,
    );
    writeFileSync(path.join(root, 'tenants', `${tenant}.yaml`), manifest());
    writeFileSync(handlerFile, handler(1));

    let output = '';
    child = spawn(process.execPath, [path.join(REPO, 'bin/stratus-cli.mjs'), 'dev', '--no-producer'], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), AWS_ENDPOINT_URL: awsEndpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const seen = (pattern: RegExp, timeout = 60_000) =>
      expect.poll(() => output, { timeout, interval: 100 }).toMatch(pattern);
    await seen(/watching manifests, schemas and handlers/, 120_000);

    // What comes out: every output record, in arrival order per partition.
    const outputs: Array<{ n: number; version: number; partition: number; at: number }> = [];
    const reader = client.consumer({ groupId: uniqueName('hot-reader') });
    await reader.connect();
    await reader.subscribe({ topic: `${tenant}.out`, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ partition, message }) => {
        outputs.push({ ...JSON.parse(message.value!.toString()), partition, at: Date.now() });
      },
    });

    // Records flow at about 100 per second, keyed so each key stays on one partition.
    const producer = client.producer();
    await producer.connect();
    let sent = 0;
    let producing = true;
    const flow = (async () => {
      while (producing) {
        const messages = Array.from({ length: 10 }, (_, i) => ({
          key: `k${(sent + i) % 12}`,
          value: JSON.stringify({ n: sent + i }),
        }));
        await producer.send({ topic: `${tenant}.in`, messages });
        sent += messages.length;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await expect.poll(() => outputs.length, { timeout: 60_000 }).toBeGreaterThan(100);

    // 1. A handler edit: new behaviour within the bound, the old code's batches finish.
    const editedAt = Date.now();
    writeFileSync(handlerFile, handler(2));
    await expect
      .poll(() => outputs.some((o) => o.version === 2), { timeout: 30_000, interval: 50 })
      .toBe(true);
    const firstNew = outputs.find((o) => o.version === 2)!;
    await seen(/first record processed by the new code ([\d.]+)s after the edit/);
    const reported = Number(/first record processed by the new code ([\d.]+)s/.exec(output)![1]);
    console.log(
      `hot reload: edit → first output by the new code ${firstNew.at - editedAt} ms (dev reports ${reported}s)`,
    );
    expect(firstNew.at - editedAt).toBeLessThan(5_000);
    expect(output).toMatch(
      new RegExp(`${tenant}\\.copy: new execution environments \\(functions/${tenant}/copy\\.ts changed\\)`),
    );

    // 1b. A handler edit that does not build: located, the running version stays and keeps processing; fixed,
    // it is swapped in.
    writeFileSync(handlerFile, `${handler(3)}const broken = ;\n`);
    await seen(
      new RegExp(
        `${tenant}\\.copy: the handler does not build; the running version stays:\\n.*functions/${tenant}/copy\\.ts:5:16: Unexpected ";"`,
      ),
    );
    const beforeBroken = outputs.length;
    await expect.poll(() => outputs.length, { timeout: 30_000 }).toBeGreaterThan(beforeBroken + 50);
    const swaps = () => output.split(`${tenant}.copy: new execution environments`).length - 1;
    const swapsBefore = swaps();
    writeFileSync(handlerFile, handler(2));
    await expect.poll(swaps, { timeout: 30_000 }).toBe(swapsBefore + 1);

    // 2. An invalid manifest edit: the errors are printed, the running version stays and keeps processing.
    writeFileSync(path.join(root, 'tenants', `${tenant}.yaml`), manifest({ batchSize: 0 }));
    await seen(
      /the edit does not validate; the running version stays:\n.*tenants\/hot-[0-9a-f]+\.yaml:\d+:\d+ +consumers\.copy\.batchSize/,
    );
    const before = outputs.length;
    await expect.poll(() => outputs.length, { timeout: 30_000 }).toBeGreaterThan(before + 50);

    // 3. A new topic and consumer in the manifest are created and started; removing the consumer stops it.
    writeFileSync(path.join(root, 'tenants', `${tenant}.yaml`), manifest(AUDIT));
    await seen(new RegExp(`hot reload: created topic ${tenant}\\.audit`));
    await seen(new RegExp(`hot reload: started consumer ${tenant}\\.audit`));
    writeFileSync(path.join(root, 'tenants', `${tenant}.yaml`), manifest({ topics: AUDIT.topics }));
    await seen(new RegExp(`hot reload: stopped consumer ${tenant}\\.audit \\(removed from the manifest\\)`));
    expect(output).not.toMatch(/restarted consumer/);

    // 4. Nothing lost, nothing duplicated, old code then new code on every partition.
    producing = false;
    await flow;
    await producer.disconnect();
    await expect
      .poll(() => outputs.length, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(sent)
      .catch((error: Error) => {
        // What stratus dev said is the first thing to read when the outputs stop.
        console.log(`stratus dev said:\n${output.slice(-6000)}`);
        throw error;
      });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await reader.disconnect();
    const ns = outputs.map((o) => o.n).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: sent }, (_, i) => i));
    for (const partition of [0, 1, 2]) {
      const versions = outputs.filter((o) => o.partition === partition).map((o) => o.version);
      expect(versions).toEqual([...versions].sort());
      expect(versions.at(-1)).toBe(2);
      expect(versions).not.toContain(3);
    }

    child.kill('SIGINT');
    expect(await new Promise((resolve) => child!.once('exit', resolve))).toBe(0);
  });
});
