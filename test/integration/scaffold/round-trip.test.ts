/**
 * The newcomer's path, end to end: `stratus new tenant` in an empty project → `stratus validate` → the generated
 * test passes (vitest in a child process, as `npm run test:unit` runs it) and the generated code type-checks →
 * `stratus demo` of the new tenant on the shared broker accounts for every record.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../../lib/local/demo/run-demo.ts';
import { freePort } from '../../../lib/local/process-utils.ts';
import { runCli } from '../../support/cli.ts';
import { testServices, uniqueName } from '../../support/services.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-roundtrip-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('stratus new tenant → validate → generated test → demo', () => {
  it('gives a pipeline that validates, passes its own test and loses nothing', {
    timeout: 420_000,
  }, async () => {
    // An empty project: the SDK, the platform code and node_modules, no tenants.
    mkdirSync(path.join(root, 'functions'));
    symlinkSync(path.join(REPO, 'functions/sdk'), path.join(root, 'functions/sdk'));
    for (const entry of ['lib', 'node_modules']) symlinkSync(path.join(REPO, entry), path.join(root, entry));
    mkdirSync(path.join(root, 'tenants'));
    writeFileSync(path.join(root, 'package.json'), '{ "private": true, "type": "module" }\n');
    mkdirSync(path.join(root, 'test/unit'), { recursive: true });
    cpSync(path.join(REPO, 'test/unit/vitest.config.ts'), path.join(root, 'test/unit/vitest.config.ts'));
    writeFileSync(
      path.join(root, 'stratus.config.yaml'),
      `region: eu-west-1\nlocal: { metricsPort: ${await freePort()}, stateDir: .stratus }\n`,
    );
    const tenant = uniqueName('rt');

    const created = await runCli(['new', 'tenant', tenant, '--owner', 'rt@example.com'], root);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const validated = await runCli(['validate'], root);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);

    const vitest = await run(
      process.execPath,
      [
        path.join(REPO, 'node_modules/vitest/vitest.mjs'),
        'run',
        '-c',
        'test/unit/vitest.config.ts',
        `test/unit/tenants/${tenant}`,
      ],
      { cwd: root, env: { ...process.env, CI: '1', NO_COLOR: '1' } },
    ).catch((error: { stdout: string; stderr: string }) => error);
    expect(vitest.stdout, vitest.stderr).toMatch(/Tests\s+2 passed \(2\)/);

    writeFileSync(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(REPO, 'tsconfig.json'),
        include: [`functions/${tenant}/**/*.ts`, `test/unit/tenants/${tenant}/**/*.ts`],
      }),
    );
    const tsc = await run(
      process.execPath,
      [path.join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'],
      {
        cwd: root,
      },
    ).catch((error: { stdout: string }) => error);
    expect(tsc.stdout).toBe('');

    const { brokers, awsEndpoint } = testServices();
    const saved = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    };
    process.env.KAFKA_BROKERS = brokers.join(',');
    process.env.AWS_ENDPOINT_URL = awsEndpoint;
    let demo: Awaited<ReturnType<typeof runCli>>;
    try {
      demo = await runCli(['demo', '--events', '400', '--json', '--timeout', '240'], root);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(demo.stdout, `exit ${demo.code}; stderr:\n${demo.stderr}`).toMatch(/^\s*\{/);
    const summary = JSON.parse(demo.stdout) as DemoSummary;
    expect(summary).toMatchObject({ ok: true, lost: 0, duplicates: 0 });
    const [consumer] = summary.tenants.flatMap((t) => t.consumers);
    expect(consumer!.input).toBe(400);
    expect(consumer!.delivered + consumer!.deadLettered + consumer!.filtered).toBe(400);
    // Generated from the schema: 2 bad-JSON and 4 schema-violating records per 400, each dead-lettered by the SDK.
    expect(consumer!.deadLettered).toBe(6);
  });
});
