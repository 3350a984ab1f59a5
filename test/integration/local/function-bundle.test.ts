/**
 * Handlers are bundled before an execution environment loads them (lib/local/function-host/bundle.ts); a
 * project whose functions directory is a link (a monorepo, a scratch project) is bundled too, against the
 * node_modules beside the real sources, as Node resolves them. Before, such a project found no node_modules
 * above the link and every execution environment loaded the SDK through tsx: a loader thread and a resolve +
 * transpile round trip per module, seconds of CPU per environment at `stratus dev`'s start. What the SDK imports
 * only when needed stays out of the handler's file, as on Lambda.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleModule } from '../../../lib/local/function-host/bundle.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
/** What clickstream.sessionize's module needs at import (the SDK reads its settings at init). */
const SESSIONIZE_ENV = {
  STRATUS_TENANT: 'clickstream',
  STRATUS_CONSUMER: 'sessionize',
  STRATUS_SOURCE_TOPIC: 'clickstream.page-views',
  STRATUS_OUTPUT_TOPIC: 'clickstream.sessions',
  STRATUS_KAFKA_BROKERS: '127.0.0.1:1',
  STRATUS_KAFKA_AUTH: 'plaintext',
};
const project = mkdtempSync(path.join(os.tmpdir(), 'stratus-linked-functions-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('handler bundles', () => {
  it('bundles a handler reached through a linked functions directory', { timeout: 60_000 }, async () => {
    symlinkSync(path.join(REPO, 'functions'), path.join(project, 'functions'));
    expect(existsSync(path.join(project, 'node_modules'))).toBe(false);
    const bundle = await bundleModule(path.join(project, 'functions/payments/enrich-orders.ts'));
    expect(bundle).toBeDefined();
    // A directory per bundle (the handler and its chunks), named by content.
    expect(path.dirname(path.dirname(bundle!))).toBe(
      path.join(REPO, 'node_modules/.cache/stratus/functions'),
    );
    expect(path.basename(path.dirname(bundle!))).toMatch(/^enrich-orders-[0-9a-f]{16}$/);
    expect(existsSync(bundle!)).toBe(true);
    // The same code again: the same directory, not a second copy.
    expect(await bundleModule(path.join(REPO, 'functions/payments/enrich-orders.ts'))).toBe(bundle);
  });

  it("leaves what the SDK loads lazily out of an execution environment's init (a chunk of its own)", async () => {
    const bundle = await bundleModule(path.join(REPO, 'functions/clickstream/sessionize.ts'));
    expect(readdirSync(path.dirname(bundle!)).length).toBeGreaterThan(1);
    // sessionize has no idempotency: importing it, as an execution environment's init does, must not load
    // Powertools Idempotency and the AWS SDK's DynamoDB client (CommonJS packages, so require.cache shows them).
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
         const module = await import(${JSON.stringify(bundle)});
         const loaded = Object.keys(createRequire(import.meta.url).cache);
         console.log(JSON.stringify({
           handler: typeof module.handler,
           kafkajs: loaded.some((file) => file.includes('/node_modules/kafkajs/')),
           lazy: loaded.filter((file) => /client-dynamodb|idempotency/.test(file)),
         }));`,
      ],
      {
        cwd: os.tmpdir(),
        env: { ...process.env, ...SESSIONIZE_ENV },
      },
    );
    expect(JSON.parse(stdout)).toEqual({ handler: 'function', kafkajs: true, lazy: [] });
  });

  it('loads the CEL evaluator at init only for a function whose topics have quality rules, as on Lambda', async () => {
    // cel-js is an ES module, which require.cache does not show: a resolve hook reports its import.
    const hooks = mkdtempSync(path.join(os.tmpdir(), 'stratus-cel-hook-'));
    const hook = path.join(hooks, 'hook.mjs');
    writeFileSync(
      hook,
      `export async function resolve(specifier, context, next) {
         if (specifier === '@marcbachmann/cel-js') process.stderr.write('cel-js imported\\n');
         return next(specifier, context);
       }`,
    );
    const register = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(pathToFileURL(hook).href)})`;
    const importsCel = async (celEvaluator: boolean) => {
      const bundle = await bundleModule(path.join(REPO, 'functions/clickstream/sessionize.ts'), {
        celEvaluator,
      });
      const { stdout, stderr } = await run(
        process.execPath,
        [
          '--import',
          register,
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler)`,
        ],
        { cwd: os.tmpdir(), env: { ...process.env, ...SESSIONIZE_ENV } },
      );
      expect(stdout.trim()).toBe('function');
      return { bundle, imported: stderr.includes('cel-js imported') };
    };
    try {
      const without = await importsCel(false);
      const withRules = await importsCel(true);
      expect(without.imported).toBe(false);
      expect(withRules.imported).toBe(true);
      // Two bundles: a manifest edit that adds rules gets the evaluator.
      expect(path.dirname(without.bundle!)).not.toBe(path.dirname(withRules.bundle!));
    } finally {
      rmSync(hooks, { recursive: true, force: true });
    }
  });

  it("bundles a handler with no node_modules above it against Stratus's own", async () => {
    const lone = mkdtempSync(path.join(os.tmpdir(), 'stratus-no-modules-'));
    try {
      writeFileSync(
        path.join(lone, 'handler.ts'),
        `import { Kafka } from 'kafkajs';\nexport const handler = async () => typeof Kafka;\n`,
      );
      const bundle = await bundleModule(path.join(lone, 'handler.ts'));
      // Loaded once per host, so every execution environment of a running version gets the same code, even
      // after the file changed (tsx read the file again for each new environment).
      expect(path.dirname(path.dirname(bundle!))).toBe(
        path.join(REPO, 'node_modules/.cache/stratus/functions'),
      );
      const { stdout } = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `console.log(await (await import(${JSON.stringify(bundle)})).handler())`,
        ],
        { cwd: os.tmpdir() },
      );
      expect(stdout.trim()).toBe('function');
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
  });
});
