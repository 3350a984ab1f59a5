/**
 * The Ajv a consumer function's asset carries beside its bundle, loaded only when a schema must be compiled at run
 * time (see lib/aws/ajv-on-demand/stand-in.cjs, whose stand-ins take Ajv's place inside the bundle): `ajv`, its
 * draft 2020-12 class and `ajv-formats` in one minified CommonJS file, built with esbuild once per installed version.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { ensurePrebuiltFile, inputsDigest, prebuiltFilePath } from './prebuilt-file.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const STAND_INS = path.join(HERE, 'ajv-on-demand');

/**
 * The modules of Ajv the SDK imports (lib/manifest/module-files.ts names them by file, so that only its imports
 * are aliased) and the stand-in each is aliased to in consumer bundles.
 */
export const AJV_STAND_INS: Readonly<Record<string, string>> = {
  'ajv/dist/ajv.js': path.join(STAND_INS, 'ajv.cjs'),
  'ajv/dist/2020.js': path.join(STAND_INS, 'ajv-2020.cjs'),
  'ajv-formats/dist/index.js': path.join(STAND_INS, 'ajv-formats.cjs'),
};

const STAND_IN = path.join(STAND_INS, 'stand-in.cjs');

/** The companion's name in the asset, beside index.js (the stand-ins look for it there). */
export const AJV_COMPANION_FILE: string = require(STAND_IN).AJV_COMPANION_FILE;

/** What the companion exports: the real modules, under the names the stand-ins ask for. */
const ENTRY = `
module.exports = {
  ajv: require('ajv/dist/ajv.js'),
  ajv2020: require('ajv/dist/2020.js'),
  formats: require('ajv-formats/dist/index.js'),
};
`;

/** The companion file, built first when missing or built from other versions of Ajv, ajv-formats or esbuild. */
export function ensureAjvCompanionFile(): string {
  const file = prebuiltFilePath('ajv', 'ajv-companion.cjs');
  // This file holds the companion's entry.
  const digest = inputsDigest(['ajv', 'ajv-formats', 'esbuild'], [fileURLToPath(import.meta.url)]);
  return ensurePrebuiltFile(file, digest, (outFile) => {
    try {
      buildSync({
        stdin: { contents: ENTRY, resolveDir: HERE, sourcefile: 'stratus-ajv-entry.cjs', loader: 'js' },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        minify: true,
        legalComments: 'eof',
        outfile: outFile,
        logLevel: 'silent',
      });
    } catch (error) {
      throw new Error(`could not build Ajv for consumer function bundles: ${(error as Error).message}`);
    }
  });
}
