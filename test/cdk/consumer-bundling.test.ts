/**
 * How consumer functions are bundled (lib/aws/consumer-bundling.ts): kafkajs' producer-only entry, and the asset
 * the CDK really builds with it. test/integration/sdk/bundled-handler.test.ts runs such a bundle against Kafka.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { App, Stack } from 'aws-cdk-lib';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { SDK_COMPANION_FILES } from '../../functions/sdk/companions.ts';
import { AJV_COMPANION_FILE, AJV_STAND_INS, ensureAjvCompanionFile } from '../../lib/aws/ajv-companion.ts';
import {
  consumerEsbuildOptions,
  KAFKAJS_PRODUCER_ONLY,
  LAZY_STREAM_WEB,
} from '../../lib/aws/consumer-bundling.ts';
import { KafkaConsumer } from '../../lib/aws/kafka-consumer.ts';
import {
  REPLACEMENTS,
  REQUESTS_LEFT_OUT,
  replaceKafkajsModules,
} from '../../lib/aws/kafkajs-producer-build.mjs';
import { ensureKafkajsProducerFile } from '../../lib/aws/kafkajs-producer-file.ts';
import { cdkJsonContext, exampleTenant, REPO_ROOT } from './helpers.ts';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
// Both through require(): Node's ESM view of a CommonJS module lists only the names it can detect statically.
const kafkajs = require('kafkajs') as typeof import('kafkajs');
const producerOnly = require(KAFKAJS_PRODUCER_ONLY) as typeof kafkajs & { KAFKAJS_VERSION: string };

describe('kafkajs producer-only entry', () => {
  it('copies the Client of the installed kafkajs version', () => {
    const installed = JSON.parse(readFileSync(require.resolve('kafkajs/package.json'), 'utf8')).version;
    expect(producerOnly.KAFKAJS_VERSION).toBe(installed);
  });

  it("exports kafkajs' public names except the consumer group's", () => {
    const expected = Object.keys(kafkajs)
      .filter((name) => !['PartitionAssigners', 'AssignerProtocol'].includes(name))
      .sort();
    expect(
      Object.keys(producerOnly)
        .filter((name) => name !== 'KAFKAJS_VERSION')
        .sort(),
    ).toEqual(expected);
    expect(producerOnly.logLevel).toEqual(kafkajs.logLevel);
    expect(producerOnly.Partitioners.DefaultPartitioner).toBe(kafkajs.Partitioners.DefaultPartitioner);
  });

  it('creates producers, and refuses consumers and admin clients with a clear error', () => {
    const client = new producerOnly.Kafka({
      brokers: ['127.0.0.1:1'],
      logLevel: producerOnly.logLevel.NOTHING,
    });
    const producer = client.producer({ createPartitioner: producerOnly.Partitioners.DefaultPartitioner });
    expect(typeof producer.sendBatch).toBe('function');
    expect(() => client.consumer({ groupId: 'g' })).toThrow(/not in Stratus consumer function bundles/);
    expect(() => client.admin()).toThrow(/not in Stratus consumer function bundles/);
  });

  it('is aliased relative to the project root esbuild runs in', () => {
    const ajv = {
      'ajv/dist/ajv.js': './lib/aws/ajv-on-demand/ajv.cjs',
      'ajv/dist/2020.js': './lib/aws/ajv-on-demand/ajv-2020.cjs',
      'ajv-formats/dist/index.js': './lib/aws/ajv-on-demand/ajv-formats.cjs',
      'node:stream/web': './lib/aws/lazy-stream-web.cjs',
    };
    expect(consumerEsbuildOptions('node24', REPO_ROOT).alias).toEqual({
      kafkajs: './node_modules/.cache/stratus/kafkajs-producer.cjs',
      ...ajv,
      '@marcbachmann/cel-js': './lib/aws/cel-not-bundled.cjs',
    });
    expect(consumerEsbuildOptions('node24', REPO_ROOT, { qualityRules: true }).alias).toEqual({
      kafkajs: './node_modules/.cache/stratus/kafkajs-producer.cjs',
      ...ajv,
    });
  });
});

describe('kafkajs as consumer bundles get it (prebuilt: consumer and admin requests out, faster encoding in)', () => {
  const file = ensureKafkajsProducerFile();
  const text = readFileSync(file, 'utf8');

  it('holds the requests a producer sends and stand-ins for the others', () => {
    // esbuild names each bundled module in a comment (the file is not minified; the consumer bundle is).
    for (const kept of ['produce', 'metadata', 'apiVersions', 'initProducerId', 'saslAuthenticate'])
      expect(text).toContain(`node_modules/kafkajs/src/protocol/requests/${kept}/index.js`);
    for (const name of REQUESTS_LEFT_OUT) {
      expect(text).not.toContain(`node_modules/kafkajs/src/protocol/requests/${name}/`);
      expect(text).toContain(`kafkajs ${name} requests are not in Stratus consumer function bundles`);
    }
    expect(text).not.toMatch(/node_modules\/kafkajs\/src\/(consumer|admin)\//);
  });

  it("encodes records and their batches' CRC-32C with the local execution environments' faster modules", () => {
    expect(text).toContain('lib/core/kafkajs-fast-encoding.ts');
    // kafkajs' own CRC module is gone; its record encoder stays, for what the fast path hands back to it.
    expect(text).not.toContain('node_modules/kafkajs/src/protocol/recordBatch/crc32C/crc32C.js');
    expect(text).toContain('node_modules/kafkajs/src/protocol/recordBatch/record/v0/index.js');
  });

  it('fails to build, rather than keep the original, when kafkajs no longer requires a module it replaces', async () => {
    const gone = { importer: 'protocol/requests/index.js', specifier: './noSuchRequest', contents: '' };
    await expect(
      build({
        entryPoints: [KAFKAJS_PRODUCER_ONLY],
        bundle: true,
        platform: 'node',
        write: false,
        logLevel: 'silent',
        plugins: [replaceKafkajsModules([...REPLACEMENTS, gone])],
      }),
    ).rejects.toThrow(/kafkajs no longer requires \.\/noSuchRequest from protocol\/requests\/index\.js/);
  });

  it('is the producer-only entry: same exports, producers made, consumers refused', () => {
    const prebuilt = require(file) as typeof kafkajs;
    expect(Object.keys(prebuilt).sort()).toEqual(Object.keys(producerOnly).sort());
    const client = new prebuilt.Kafka({ brokers: ['127.0.0.1:1'], logLevel: prebuilt.logLevel.NOTHING });
    expect(typeof client.producer().sendBatch).toBe('function');
    expect(() => client.consumer({ groupId: 'g' })).toThrow(/not in Stratus consumer function bundles/);
  });

  it('is reused while its inputs are unchanged and rebuilt when they differ', () => {
    expectReusedThenRebuilt(ensureKafkajsProducerFile);
  });
});

describe('Ajv on demand (stand-ins inside consumer bundles, the real Ajv in a companion file beside them)', () => {
  const companion = ensureAjvCompanionFile();
  /** The stand-ins and the companion laid out as in an asset: the stand-ins look beside themselves. */
  const asset = mkdtempSync(path.join(os.tmpdir(), 'stratus-ajv-on-demand-'));
  const standInDir = path.dirname(AJV_STAND_INS['ajv/dist/ajv.js']!);
  for (const file of readdirSync(standInDir))
    copyFileSync(path.join(standInDir, file), path.join(asset, file));
  const companionInAsset = path.join(asset, AJV_COMPANION_FILE);
  const standIn = (specifier: string) =>
    require(path.join(asset, path.basename(AJV_STAND_INS[specifier]!))) as Record<string, unknown> &
      ((...args: unknown[]) => unknown);
  const companionLoaded = () => require.cache[companionInAsset] !== undefined;

  const draft7 = {
    type: 'object',
    required: ['id', 'at'],
    properties: { id: { type: 'string', format: 'uuid' }, at: { type: 'string', format: 'date-time' } },
  };
  const draft2020 = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'array',
    prefixItems: [{ type: 'string', format: 'email' }],
    items: false,
  };
  const errorsOf = (validate: ValidateFunction, value: unknown) =>
    validate(value) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`);

  it('are aliased for the SDK\'s three Ajv modules only, so a handler importing "ajv" itself gets the real one', () => {
    expect(Object.keys(AJV_STAND_INS).sort()).toEqual([
      'ajv-formats/dist/index.js',
      'ajv/dist/2020.js',
      'ajv/dist/ajv.js',
    ]);
    const source = readFileSync(path.join(REPO_ROOT, 'lib/manifest/module-files.ts'), 'utf8');
    const imported = [...source.matchAll(/from '((?:ajv|ajv-formats)(?:\/[^']*)?)'/g)].map((m) => m[1]);
    expect(imported.sort()).toEqual(Object.keys(AJV_STAND_INS).sort());
  });

  it('mirror every export of the installed modules, and load nothing until used', () => {
    companionLoaded() && delete require.cache[companionInAsset];
    copyFileSync(companion, companionInAsset);
    for (const [specifier, modulePath] of [
      ['ajv/dist/ajv.js', 'ajv/dist/ajv.js'],
      ['ajv/dist/2020.js', 'ajv/dist/2020.js'],
      ['ajv-formats/dist/index.js', 'ajv-formats/dist/index.js'],
    ] as const) {
      const real = require(modulePath) as object;
      const twin = standIn(specifier);
      const names = (o: object) =>
        Object.getOwnPropertyNames(o)
          .filter((n) => !['length', 'name', 'prototype'].includes(n))
          .sort();
      expect(names(twin), specifier).toEqual(names(real));
      expect(twin.__esModule).toBe(true);
      expect(twin.default).toBe(twin);
    }
    expect(companionLoaded()).toBe(false);
  });

  it('hand out the real Ajv, Ajv 2020-12 and ajv-formats, options, instanceof and named exports included', () => {
    copyFileSync(companion, companionInAsset);
    const formats = standIn('ajv-formats/dist/index.js');
    for (const [specifier, Real, schema, bad] of [
      ['ajv/dist/ajv.js', Ajv, draft7, { id: 'nope', at: 'yesterday' }],
      ['ajv/dist/2020.js', Ajv2020, draft2020, ['not-an-email', 'extra']],
    ] as const) {
      const Twin = standIn(specifier) as unknown as typeof Ajv;
      const fromTwin = new Twin({ allErrors: true, strict: false });
      formats(fromTwin);
      const real = new Real({ allErrors: true, strict: false });
      addFormats(real);
      expect(fromTwin).toBeInstanceOf(Twin);
      expect(errorsOf(fromTwin.compile(schema), bad)).toEqual(errorsOf(real.compile(schema), bad));
      expect(errorsOf(fromTwin.compile(schema), bad).length).toBeGreaterThan(1);
      // A named export is the companion's own (its code generator's tagged template here).
      expect(typeof (Twin as unknown as { _: unknown })._).toBe('function');
      expect(new Real()).not.toBeInstanceOf(Twin);
    }
    expect(companionLoaded()).toBe(true);
  });

  it('is reused while Ajv, ajv-formats and esbuild are unchanged and rebuilt when they differ', () => {
    expectReusedThenRebuilt(ensureAjvCompanionFile);
  });

  it('leaves a handler that imports Ajv by its package names with the real Ajv in its bundle', async () => {
    const { file } = await bundleInlineHandler(
      'own-ajv',
      `
          import Ajv from 'ajv';
          import Ajv2019 from 'ajv/dist/2019.js';
          import addFormats from 'ajv-formats';
          const ajv = addFormats(new Ajv({ allErrors: true }));
          export const ok = ajv.validate({ type: 'string', format: 'date' }, '2026-12-01');
          export const bad = ajv.validate({ type: 'string', format: 'date' }, 'Tuesday');
          export const draft2019 = new Ajv2019().validate({ type: 'integer' }, 3);`,
    );
    // No companion beside it: everything it uses is in its own bundle.
    expect(require(file)).toMatchObject({ ok: true, bad: false, draft2019: true });
  });
});

describe('node:stream/web in consumer bundles (loaded on first use)', () => {
  const real = require('node:stream/web') as Record<string, unknown>;

  it("has every export of this Node.js's module, each the real one", () => {
    const standIn = require(LAZY_STREAM_WEB) as Record<string, unknown>;
    expect(Object.keys(standIn).sort()).toEqual(Object.keys(real).sort());
    for (const name of Object.keys(real)) expect(standIn[name]).toBe(real[name]);
  });

  it("loads nothing until an export is read, then Node's own module", async () => {
    const { file, code } = await bundleInlineHandler(
      'lazy-stream-web',
      `
          import { ReadableStream } from 'node:stream/web';
          export const loadedAtImport = process.moduleLoadList.includes('NativeModule stream/web');
          export async function read() {
            const stream = new ReadableStream({ start(c) { c.enqueue('a'); c.enqueue('b'); c.close(); } });
            const chunks = [];
            for await (const chunk of stream) chunks.push(chunk);
            return chunks;
          }`,
    );
    expect(code.includes('require("node:stream/web")')).toBe(false);
    // A fresh process: this one has loaded web streams long ago.
    const { stdout } = await run(process.execPath, [
      '-e',
      `const m = require(${JSON.stringify(file)}); m.read().then((chunks) => console.log(JSON.stringify({
        atImport: m.loadedAtImport, chunks, afterUse: process.moduleLoadList.includes('NativeModule stream/web') })))`,
    ]);
    expect(JSON.parse(stdout)).toEqual({ atImport: false, chunks: ['a', 'b'], afterUse: true });
  });
});

/**
 * A handler written inline, bundled with the consumer settings (as the CDK bundles) into `index.js` of a fresh
 * directory with nothing beside it; returns the file and its code.
 */
async function bundleInlineHandler(name: string, contents: string): Promise<{ file: string; code: string }> {
  const result = await build({
    ...consumerEsbuildOptions('node24', REPO_ROOT),
    absWorkingDir: REPO_ROOT,
    stdin: { contents, resolveDir: REPO_ROOT, sourcefile: `${name}-handler.ts`, loader: 'ts' },
    bundle: true,
    write: false,
    outfile: path.join(os.tmpdir(), `${name}.js`),
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((output) => output.path.endsWith(`${name}.js`))!.text;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), `stratus-${name}-`)), 'index.js');
  writeFileSync(file, code);
  return { file, code };
}

/**
 * A prebuilt file (lib/aws/prebuilt-file.ts) is kept while its recorded inputs match, and rebuilt, to the same
 * text and with no temporary file left beside it, when they differ.
 */
function expectReusedThenRebuilt(ensure: () => string): void {
  const file = ensure();
  const before = statSync(file).mtimeMs;
  const text = readFileSync(file, 'utf8');
  expect(ensure()).toBe(file);
  expect(statSync(file).mtimeMs).toBe(before);
  writeFileSync(`${file}.inputs`, 'other inputs');
  ensure();
  expect(statSync(file).mtimeMs).toBeGreaterThan(before);
  expect(readFileSync(file, 'utf8')).toBe(text);
  expect(readdirSync(path.dirname(file)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
}

describe('KafkaConsumer bundle', () => {
  // The README's goal is 500 KiB; a function whose topics have quality rules also carries the CEL evaluator.
  it('is built with the producer-only kafkajs and stays under 500 KiB', () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'stratus-consumer-bundle-'));
    const app = new App({ outdir, context: { ...cdkJsonContext(), nag: 'false' } });
    const stack = new Stack(app, 'Bundle', { env: { region: 'eu-west-1', account: '123456789012' } });
    const consumer = new KafkaConsumer(stack, 'Consumer', {
      consumer: exampleTenant('payments').consumers[0]!,
      rootDir: REPO_ROOT,
      clusterArn:
        'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3',
      bootstrapBrokers: 'b-1.stratus.kafka.eu-west-1.amazonaws.com:9098',
    });
    const asset = consumer.function.node.findChild('Code') as s3assets.Asset;
    const assetDir = path.join(app.synth().directory, asset.assetPath);
    const bundle = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    expect(Buffer.byteLength(bundle)).toBeLessThan(500 * 1024);
    // The bundled packages' licence comments travel beside it, linked from it.
    expect(bundle).toContain('index.js.LEGAL.txt');
    expect(readFileSync(path.join(assetDir, 'index.js.LEGAL.txt'), 'utf8')).toContain(
      '@aws-lambda-powertools/logger',
    );
    expect(bundle).toContain('the CEL evaluator is not in this function bundle');
    // Ajv travels beside the bundle, not in it.
    expect(bundle).toContain("Ajv is not in this function's asset");
    // (Ajv's draft-07 meta-schema, by its title; booleans, so a failure does not print half a megabyte.)
    const ajvMarker = 'Core schema meta-schema';
    expect(bundle.includes(ajvMarker)).toBe(false);
    expect(readFileSync(path.join(assetDir, AJV_COMPANION_FILE), 'utf8').includes(ajvMarker)).toBe(true);
    expect(bundle).toContain('not in Stratus consumer function bundles');
    // esbuild's command line (which NodejsFunction runs) took the alias of node:stream/web too.
    expect(bundle.includes('require("stream/web")')).toBe(true);
    expect(bundle.includes('require("node:stream/web")')).toBe(false);
    expect(bundle).not.toContain('The group is rebalancing, re-joining');
    // Powertools Idempotency and the MSK IAM signer too, each in its companion (with its licence comments).
    const companion = (name: string) => readFileSync(path.join(assetDir, name), 'utf8');
    for (const [marker, file] of [
      ['IdempotencyItemAlreadyExistsError', SDK_COMPANION_FILES.idempotency],
      ['kafka-cluster:Connect', SDK_COMPANION_FILES.mskIamSigner],
    ] as const) {
      expect(bundle.includes(marker)).toBe(false);
      expect(companion(file).includes(marker)).toBe(true);
    }
    expect(companion(SDK_COMPANION_FILES.mskIamSigner)).toContain('Copyright (c) Microsoft Corporation');
  });
});
