/**
 * Generates a schema's precompiled validator (lib/core/precompiled-validator.ts): Ajv's standalone code for the
 * schema, compiled with the very Ajv set-up the SDK would use at run time (schemaValidatorFor: draft by
 * `$schema`, allErrors, formats), then bundled with its few Ajv run-time helpers into one self-contained
 * CommonJS module, since a Lambda asset has no node_modules. The module exports the validate function and
 * `schemaDigest`, which names the schema it was made from.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { buildSync } from 'esbuild';
import { precompiledValidatorFile, schemaDigest } from '../core/precompiled-validator.ts';
import { schemaValidatorFor } from '../manifest/module-files.ts';

// ajv's standalone module is CommonJS; under NodeNext its default import is the module object.
const toStandalone = standaloneCode.default;

/** Where Ajv and ajv-formats resolve from: Stratus's own installation. */
const RESOLVE_DIR = path.dirname(fileURLToPath(import.meta.url));

// One bundle per schema per process: synth builds the same schema for every function that reads it.
const generated = new Map<string, string>();

/** The validator module's source for `schema` (minified CommonJS, no imports). */
export function precompiledValidatorCode(schema: Record<string, unknown>): string {
  const digest = schemaDigest(schema);
  const cached = generated.get(digest);
  if (cached) return cached;
  // The schema was checked against its meta-schema when the manifest was loaded.
  const ajv = schemaValidatorFor(schema, { validateSchema: false, standaloneSource: true });
  const source = `${toStandalone(ajv, ajv.compile(schema))}\nmodule.exports.schemaDigest = ${JSON.stringify(digest)};\n`;
  const bundled = buildSync({
    stdin: { contents: source, resolveDir: RESOLVE_DIR, sourcefile: 'validator.cjs', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const code = bundled.outputFiles[0]!.text;
  generated.set(digest, code);
  return code;
}

/**
 * Writes the validator of `schema` beside `schemaFile` (the name lib/core/precompiled-validator.ts gives), by
 * rename so a reader never sees half a file. Returns its path.
 */
export function writePrecompiledValidator(schemaFile: string, schema: Record<string, unknown>): string {
  const file = precompiledValidatorFile(schemaFile);
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, precompiledValidatorCode(schema));
  renameSync(partial, file);
  return file;
}

/**
 * Stages the validator of the JSON Schema file `schemaFile` (relative to `rootDir`) as
 * `<rootDir>/.stratus/validators/<digest>.validate.cjs`, for a bundling step to copy into the asset (inside or
 * outside a container, the project root is its input). Returns that path relative to `rootDir`.
 */
export function stagePrecompiledValidator(rootDir: string, schemaFile: string): string {
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(readFileSync(path.resolve(rootDir, schemaFile), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    // JSON.parse quotes the start of the text, line breaks included: one line is enough to say where.
    throw new Error(`not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`);
  }
  const staged = path.join('.stratus', 'validators', `${schemaDigest(schema)}.json`);
  return path.relative(rootDir, writePrecompiledValidator(path.join(rootDir, staged), schema));
}
