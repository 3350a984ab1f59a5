/**
 * A handler that does not build is reported where it is wrong, with file:line:col, by every part that meets it:
 * `stratus validate` (before a deployment's synth fails on it), and each local invocation (its
 * Runtime.ImportModuleError). The newcomer's case first: a project made outside a checkout of the repository has
 * no functions/sdk/ — `stratus new` refuses to write a handler there, and a handler in such a project is told
 * the SDK is missing (every invocation said "Cannot require() ES Module … in a cycle" before, through tsx).
 * Real worker threads (FunctionHost), the CLI in process.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consumerEnvironment } from '../../../lib/core/function-env.ts';
import { FunctionHost } from '../../../lib/local/function-host/index.ts';
import { runCli } from '../../support/cli.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const outside = mkdtempSync(path.join(os.tmpdir(), 'stratus-no-checkout-'));
// Inside the repository's tree, so its node_modules is above the handler and the handler is bundled.
mkdirSync(path.join(REPO, '.stratus', 'tmp'), { recursive: true });
const inside = mkdtempSync(path.join(REPO, '.stratus', 'tmp', 'handler-build-'));
const hosts: FunctionHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.close()));
  for (const dir of [outside, inside]) rmSync(dir, { recursive: true, force: true });
});

const HANDLER = `import { defineConsumer } from '../sdk/index.ts';

export const handler = defineConsumer({
  handler: async (record) => {
    console.log(record.value);
  },
});
`;

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

function host(rootDir: string, handlerFile: string): FunctionHost {
  const created = new FunctionHost({
    rootDir,
    handlerFile,
    functionName: 'stratus-shop-handle-events',
    env: consumerEnvironment({
      tenant: 'shop',
      consumer: 'handle-events',
      sourceTopic: 'shop.events',
      kafkaBrokers: '127.0.0.1:1',
      kafkaAuth: 'plaintext',
      logLevel: 'WARN',
    }),
    timeoutMs: 10_000,
  });
  hosts.push(created);
  return created;
}

const emptyEvent = { eventSource: 'aws:kafka', bootstrapServers: '127.0.0.1:1', records: {} };

describe('handlers that do not build', () => {
  it('outside a checkout: stratus new writes nothing, and an invocation says the SDK is missing', async () => {
    const refused = await runCli(['new', 'tenant', 'shop'], outside);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('functions/sdk/index.ts is not in');
    expect(refused.stderr).toContain('Nothing was written.');
    expect(readdirSync(outside)).toEqual([]);

    // Written by hand instead, as the scaffold would have.
    write(outside, 'functions/shop/handle-events.ts', HANDLER);
    const result = await host(outside, 'functions/shop/handle-events.ts').invoke(emptyEvent);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.class).toBe('Runtime.ImportModuleError');
    expect(result.error.message).toMatch(
      /^functions\/shop\/handle-events\.ts:1:32: Could not resolve "\.\.\/sdk\/index\.ts" \(the handler SDK, functions\/sdk\/, is not in /,
    );
    expect(result.error.message).toContain('docs/getting-started.md');
  });

  it('inside a checkout: a syntax error and a mistyped import, located, in validate and in each invocation', async () => {
    for (const dir of ['tenants', 'schemas'])
      symlinkSync(path.join(REPO, dir), path.join(inside, dir), 'dir');
    mkdirSync(path.join(inside, 'functions'));
    symlinkSync(path.join(REPO, 'functions/sdk'), path.join(inside, 'functions/sdk'), 'dir');
    write(inside, 'stratus.config.yaml', 'region: eu-west-1\n');
    // The example manifests' handler paths, with one mistake each.
    write(
      inside,
      'functions/payments/enrich-orders.ts',
      HANDLER.replace("'../sdk/index.ts'", "'../sdk/indx.ts'"),
    );
    write(inside, 'functions/clickstream/sessionize.ts', `${HANDLER}\nconst broken = ;\n`);
    expect(existsSync(path.join(inside, 'functions/sdk/index.ts'))).toBe(true);

    const validated = await runCli(['validate'], inside);
    expect(validated.code).toBe(1);
    const lines = validated.stderr.trim().split('\n');
    expect(lines).toContain(
      'functions/payments/enrich-orders.ts:1:32  the handler of consumers.enrich-orders of tenants/payments.yaml does not build: Could not resolve "../sdk/indx.ts"',
    );
    expect(lines).toContain(
      'functions/clickstream/sessionize.ts:9:16  the handler of consumers.sessionize of tenants/clickstream.yaml does not build: Unexpected ";"',
    );
    expect(validated.stderr).toContain('2 problems found');

    const mistyped = await host(inside, 'functions/payments/enrich-orders.ts').invoke(emptyEvent);
    expect(mistyped).toMatchObject({
      ok: false,
      error: {
        class: 'Runtime.ImportModuleError',
        message: 'functions/payments/enrich-orders.ts:1:32: Could not resolve "../sdk/indx.ts"',
      },
    });
    const broken = host(inside, 'functions/clickstream/sessionize.ts');
    // Every invocation, not only the first: the environment's init failed, as on Lambda.
    for (let i = 0; i < 2; i++)
      expect(await broken.invoke(emptyEvent)).toMatchObject({
        ok: false,
        error: {
          class: 'Runtime.ImportModuleError',
          message: 'functions/clickstream/sessionize.ts:9:16: Unexpected ";"',
        },
      });
  });
});
