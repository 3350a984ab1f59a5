/**
 * The SDK's companion files (functions/sdk/companions.ts): Powertools Idempotency with the SDK's batching store,
 * and the MSK IAM signer, each one minified CommonJS file that a consumer asset carries beside index.js and that
 * the function loads only when it needs it. Built with esbuild on first use in a process and written to
 * `node_modules/.cache/stratus/` only when the result differs (one of them is the SDK's own source, which changes
 * with the checkout; a build takes about 0.1 s).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync } from 'esbuild';
import { SDK_COMPANION_FILES } from '../../functions/sdk/companions.ts';
import type { CompanionFile } from './consumer-bundling.ts';
import { ensurePrebuiltFile, prebuiltFilePath } from './prebuilt-file.ts';

const SDK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../functions/sdk');

interface CompanionSpec {
  /** Its name in the asset. */
  name: string;
  entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>;
  /** For the error message. */
  what: string;
}

const SPECS: CompanionSpec[] = [
  {
    name: SDK_COMPANION_FILES.idempotency,
    entry: { entryPoints: [path.join(SDK_DIR, 'idempotency.ts')] },
    what: 'Powertools Idempotency',
  },
  {
    name: SDK_COMPANION_FILES.mskIamSigner,
    entry: {
      stdin: {
        contents: `module.exports = require('aws-msk-iam-sasl-signer-js');`,
        resolveDir: SDK_DIR,
        sourcefile: 'stratus-msk-iam-signer-entry.cjs',
        loader: 'js',
      },
    },
    what: 'the MSK IAM signer',
  },
];

let built: CompanionFile[] | undefined;

/** The SDK's companion files, built first when missing or out of date (once per process). */
export function sdkCompanionFiles(): CompanionFile[] {
  built ??= SPECS.map((spec) => ({ name: spec.name, source: buildCompanion(spec) }));
  return built;
}

function buildCompanion(spec: CompanionSpec): string {
  let code: Uint8Array;
  try {
    code = buildSync({
      ...spec.entry,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      // The Lambda runtime's copy, as in index.js (consumer-bundling.ts).
      external: ['@aws-sdk/*'],
      legalComments: 'eof',
      write: false,
      logLevel: 'silent',
    }).outputFiles[0]!.contents;
  } catch (error) {
    throw new Error(
      `could not build ${spec.what} for consumer function bundles: ${(error as Error).message}`,
    );
  }
  // In the installation that builds it (the packages it bundles are there too).
  const file = prebuiltFilePath('esbuild', spec.name);
  const digest = createHash('sha256').update(code).digest('hex');
  return ensurePrebuiltFile(file, digest, (outFile) => writeFileSync(outFile, code));
}
