/**
 * How a consumer function is bundled: one definition for the CDK (lib/aws/kafka-consumer.ts), the bundle-size
 * benchmark (bench/sdk.bench.ts) and the test that runs a bundled handler against Kafka, so they cannot drift.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AJV_COMPANION_FILE, AJV_STAND_INS, ensureAjvCompanionFile } from './ajv-companion.ts';
import { PRODUCER_ONLY_ENTRY } from './kafkajs-producer-build.mjs';
import { ensureKafkajsProducerFile } from './kafkajs-producer-file.ts';
import { sdkCompanionFiles } from './sdk-companions.ts';

/** kafkajs without its consumer and admin client; see the file's header. */
export const KAFKAJS_PRODUCER_ONLY = PRODUCER_ONLY_ENTRY;

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The CEL evaluator's stand-in for functions without quality rules; see the file's header. */
export const CEL_NOT_BUNDLED = path.join(HERE, 'cel-not-bundled.cjs');

/** `node:stream/web` with its modules loaded on first use; see the file's header. */
export const LAZY_STREAM_WEB = path.join(HERE, 'lazy-stream-web.cjs');

/** esbuild settings of a consumer bundle, in the terms of esbuild's build API. */
export interface ConsumerEsbuildOptions {
  readonly platform: 'node';
  readonly format: 'cjs';
  readonly target: string;
  readonly minify: true;
  readonly external: string[];
  readonly alias: Record<string, string>;
  readonly define: Record<string, string>;
  readonly legalComments: 'linked';
}

/**
 * esbuild settings of a consumer function bundle.
 *
 * - CommonJS: an ESM bundle would need a `createRequire` banner, because kafkajs and the AWS SDK `require()`
 *   Node built-ins.
 * - Minified; AWS SDK v3 left to the Node.js runtime, everything else (Powertools, kafkajs, Ajv, middy) bundled.
 * - `kafkajs` is aliased to {@link KAFKAJS_PRODUCER_ONLY} prebuilt without the protocol requests only consumers
 *   and admin clients send (lib/aws/kafkajs-producer-build.mjs, built when missing or stale): a function only
 *   produces; kafkajs' consumer and admin client are about 58 KiB of the bundle, those requests 69 KB more.
 * - Without quality rules, the CEL evaluator is aliased to {@link CEL_NOT_BUNDLED} (about 86 KiB saved).
 * - The three Ajv modules the SDK imports are aliased to stand-ins that load the real ones from a companion file
 *   beside the bundle on first use (lib/aws/ajv-on-demand/stand-in.cjs): the precompiled validators beside the
 *   schema files need none of it, and its ~150 KB cost 25–30 ms of every cold start.
 * - `node:stream/web` is aliased to {@link LAZY_STREAM_WEB}, which loads Node's web streams when one is first used:
 *   middy imports them for response streaming only (about 3 ms of every cold start).
 * - `STRATUS_SDK_COMPANIONS` is defined, so Powertools Idempotency and the MSK IAM signer stay out of the bundle
 *   too, in companion files loaded when first needed (functions/sdk/companions.ts; about 90 KB, 5–10 ms of
 *   init).
 * - The asset must carry {@link consumerCompanionFiles} (consumerBundlingProps copies them).
 * - The bundled packages' licence comments go to `index.js.LEGAL.txt` beside the bundle (esbuild's `linked`),
 *   so they travel in the asset while the file the runtime parses holds code only (1.4 KiB of it before).
 *
 * @param projectRoot the directory esbuild runs in (the NodejsFunction `projectRoot`); esbuild resolves alias
 *   targets against it, so the alias is written relative to it and works in CDK's Docker bundling too.
 */
export function consumerEsbuildOptions(
  target: string,
  projectRoot: string,
  options: { qualityRules?: boolean } = {},
): ConsumerEsbuildOptions {
  const relative = (file: string) => {
    const rel = path.relative(projectRoot, file).split(path.sep).join('/');
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const alias: Record<string, string> = { kafkajs: relative(ensureKafkajsProducerFile()) };
  for (const [specifier, standIn] of Object.entries(AJV_STAND_INS)) alias[specifier] = relative(standIn);
  if (!options.qualityRules) alias['@marcbachmann/cel-js'] = relative(CEL_NOT_BUNDLED);
  alias['node:stream/web'] = relative(LAZY_STREAM_WEB);
  return {
    platform: 'node',
    format: 'cjs',
    target,
    minify: true,
    external: ['@aws-sdk/*'],
    alias,
    define: { STRATUS_SDK_COMPANIONS: 'true' },
    legalComments: 'linked',
  };
}

/** A file a consumer bundle loads from beside itself at run time, which its asset must therefore carry. */
export interface CompanionFile {
  /** Where it is built, absolute. */
  readonly source: string;
  /** Its name in the asset, beside index.js. */
  readonly name: string;
}

/** The files every bundle built with {@link consumerEsbuildOptions} needs beside it (built when missing). */
export function consumerCompanionFiles(): CompanionFile[] {
  return [{ source: ensureAjvCompanionFile(), name: AJV_COMPANION_FILE }, ...sdkCompanionFiles()];
}

/** Copies the {@link consumerCompanionFiles} into an asset directory (tests and benchmarks lay assets out so). */
export function copyConsumerCompanionFiles(assetDir: string): void {
  for (const { source, name } of consumerCompanionFiles()) copyFileSync(source, path.join(assetDir, name));
}
