/**
 * A consumer function as Lambda runs it, for tests and benchmarks: bundled with the CDK's esbuild settings
 * (lib/aws/consumer-bundling.ts), laid out like the CDK asset (index.js, its companion files, the schema files and
 * their precompiled validators), then loaded by
 * `require()` in a fresh Node.js process (empty module cache: a cold start) and invoked once.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { consumerEsbuildOptions, copyConsumerCompanionFiles } from '../../lib/aws/consumer-bundling.ts';
import { BUNDLED_OUTPUT_SCHEMA_FILE, BUNDLED_SCHEMA_FILE } from '../../lib/aws/kafka-consumer.ts';
import { writePrecompiledValidator } from '../../lib/contracts/precompiled-validator-code.ts';
import type { MskBatchResponse, MskEvent } from '../../lib/core/msk-event.ts';

export interface BundleOptions {
  /** The project root esbuild runs in. */
  root: string;
  /** The handler's source file. */
  entry: string;
  /** The asset directory to create. */
  dir: string;
  /** Copied in as the CDK's afterBundling hook does; paths relative to `root`. */
  schemaFile?: string;
  outputSchemaFile?: string;
  /** @default true, as the CDK bundles; false keeps module names readable in a CPU profile */
  minify?: boolean;
  /** Each schema's precompiled validator beside it, as the CDK's afterBundling hook puts it. @default true */
  precompiledValidators?: boolean;
}

/** Bundles the function into `dir`; returns the bundle's size in bytes. */
export async function bundleFunction(options: BundleOptions): Promise<number> {
  mkdirSync(options.dir, { recursive: true });
  const outfile = path.join(options.dir, 'index.js');
  await build({
    ...consumerEsbuildOptions('node20', options.root),
    minify: options.minify ?? true,
    absWorkingDir: options.root,
    entryPoints: [path.resolve(options.root, options.entry)],
    bundle: true,
    outfile,
    logLevel: 'silent',
  });
  copyConsumerCompanionFiles(options.dir);
  for (const [file, bundled] of [
    [options.schemaFile, BUNDLED_SCHEMA_FILE],
    [options.outputSchemaFile, BUNDLED_OUTPUT_SCHEMA_FILE],
  ] as const) {
    if (!file) continue;
    const schemaText = readFileSync(path.resolve(options.root, file), 'utf8');
    writeFileSync(path.join(options.dir, bundled), schemaText);
    if (options.precompiledValidators ?? true)
      writePrecompiledValidator(path.join(options.dir, bundled), JSON.parse(schemaText));
  }
  return readFileSync(outfile).length;
}

/**
 * What the child runs, as the Node.js Lambda runtime would: require the bundle, invoke the handler once, then
 * close its producer (the Stratus SDK's `handler.stratus.close()`, or a bare module's `close()`; Lambda would
 * freeze the container instead; closing is outside the timings).
 */
const CHILD = `
const started = performance.now();
const mod = require(process.argv[1]);
const initMs = performance.now();
const fs = require('node:fs');
const event = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: 'cold-1',
  getRemainingTimeInMillis: () => 60000, callbackWaitsForEmptyEventLoop: true };
(async () => {
  const invokeStart = performance.now();
  const result = await mod.handler(event, context);
  const firstInvokeMs = performance.now() - invokeStart;
  await (mod.close ? mod.close() : mod.handler.stratus.close());
  fs.writeFileSync(process.argv[3], JSON.stringify({ initMs, requireMs: initMs - started, firstInvokeMs, result }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

export interface ColdInvocation {
  /** From the process's start (performance.timeOrigin) to the handler exported, as Lambda's Init Duration. */
  initMs: number;
  /** The `require()` of the bundle alone. */
  requireMs: number;
  /** The first invocation's promise settled. */
  firstInvokeMs: number;
  result: MskBatchResponse;
}

/**
 * Invokes the bundle in `dir` once, in a fresh Node.js process with exactly `env` (add PATH, the AWS variables
 * and NODE_PATH for the external `@aws-sdk/*`, as the Lambda runtime provides them).
 */
export function invokeInFreshProcess(options: {
  dir: string;
  event: MskEvent;
  env: NodeJS.ProcessEnv;
  /** Writes a V8 CPU profile of the child there. */
  cpuProfileDir?: string;
}): Promise<ColdInvocation> {
  const eventFile = path.join(options.dir, 'event.json');
  const resultFile = path.join(options.dir, 'result.json');
  writeFileSync(eventFile, JSON.stringify(options.event));
  rmSync(resultFile, { force: true });
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${options.cpuProfileDir}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '-e', CHILD, path.join(options.dir, 'index.js'), eventFile, resultFile],
    { cwd: options.dir, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0)
        return reject(new Error(`the function's process exited ${code}:\n${stderr.slice(-3000)}`));
      resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as ColdInvocation);
    });
  });
}
