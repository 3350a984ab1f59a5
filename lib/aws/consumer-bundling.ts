/**
 * How a consumer function is bundled: one definition for the CDK (lib/aws/kafka-consumer.ts), the bundle-size
 * benchmark (bench/sdk.bench.ts) and the test that runs a bundled handler against Kafka, so they cannot drift.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRODUCER_ONLY_ENTRY } from './kafkajs-producer-build.mjs';
import { ensureKafkajsProducerFile } from './kafkajs-producer-file.ts';

/** kafkajs without its consumer and admin client; see the file's header. */
export const KAFKAJS_PRODUCER_ONLY = PRODUCER_ONLY_ENTRY;

/** The CEL evaluator's stand-in for functions without quality rules; see the file's header. */
export const CEL_NOT_BUNDLED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cel-not-bundled.cjs');

/** esbuild settings of a consumer bundle, in the terms of esbuild's build API. */
export interface ConsumerEsbuildOptions {
  readonly platform: 'node';
  readonly format: 'cjs';
  readonly target: string;
  readonly minify: true;
  readonly external: string[];
  readonly alias: Record<string, string>;
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
  if (!options.qualityRules) alias['@marcbachmann/cel-js'] = relative(CEL_NOT_BUNDLED);
  return {
    platform: 'node',
    format: 'cjs',
    target,
    minify: true,
    external: ['@aws-sdk/*'],
    alias,
    legalComments: 'linked',
  };
}
