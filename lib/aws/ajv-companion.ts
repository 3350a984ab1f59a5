/**
 * The Ajv a consumer function's asset carries beside its bundle, loaded only when a schema must be compiled at run
 * time (see lib/aws/ajv-on-demand.cjs, which stands in for Ajv inside the bundle): `ajv`, its draft 2020-12 class
 * and `ajv-formats` in one minified CommonJS file, built with esbuild once per installed version.
 */
import { renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { ensurePrebuiltFile, inputsDigest, prebuiltFilePath } from './prebuilt-file.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The stand-in the consumer bundle's alias points `ajv`, `ajv/dist/2020.js` and `ajv-formats` at. */
export const AJV_ON_DEMAND = path.join(HERE, 'ajv-on-demand.cjs');

/** The companion's name in the asset, beside index.js (the stand-in looks for it there). */
export const AJV_COMPANION_FILE: string = require(AJV_ON_DEMAND).AJV_COMPANION_FILE;

/** What the companion exports: the three things the stand-in hands out. */
const ENTRY = `
const { Ajv } = require('ajv');
const { Ajv2020 } = require('ajv/dist/2020');
const formats = require('ajv-formats');
module.exports = { Ajv, Ajv2020, addFormats: formats.default ?? formats };
`;

/** The companion file, built first when missing or built from other versions of Ajv, ajv-formats or esbuild. */
export function ensureAjvCompanionFile(): string {
  const file = prebuiltFilePath('ajv', 'ajv-companion.cjs');
  const digest = inputsDigest(
    ['ajv', 'ajv-formats', 'esbuild'],
    [AJV_ON_DEMAND, fileURLToPath(import.meta.url)],
  );
  return ensurePrebuiltFile(file, digest, () => {
    // Written whole, then renamed into place: a bundling that copies it meanwhile never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    buildSync({
      stdin: { contents: ENTRY, resolveDir: HERE, sourcefile: 'stratus-ajv-entry.cjs', loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      legalComments: 'eof',
      outfile: temporary,
      logLevel: 'silent',
    });
    renameSync(temporary, file);
  });
}
