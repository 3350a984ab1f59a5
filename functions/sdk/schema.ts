/**
 * JSON Schema validation of record values. Compiled once per container with the same Ajv set-up the manifest
 * validator uses, so a schema that `stratus validate` accepts behaves identically in the handler; or, when the
 * bundle carries it, the same Ajv's standalone code generated at bundling (lib/core/precompiled-validator.ts),
 * which spares the cold start the compile.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import {
  canonicalJson,
  precompiledValidatorFile,
  schemaDigest,
} from '../../lib/core/precompiled-validator.ts';
import { schemaValidatorFor } from '../../lib/manifest/module-files.ts';

/** Returns the list of violations (`<instancePath> <message>`), empty when the value is valid. */
export type ValueValidator = (value: unknown) => string[];

/**
 * @param options.fromManifest the schema is a manifest's schema file, which the platform checked against its
 *   meta-schema when it loaded the manifest (`stratus validate`, synth, `stratus dev`; lib/manifest/module-files.ts):
 *   the check is not repeated at every cold start, where it was about half of the SDK's init time. A schema
 *   that only the handler's code gives is checked here.
 */
export function compileValueValidator(
  schema: Record<string, unknown>,
  options: { fromManifest?: boolean } = {},
): ValueValidator {
  return violationsOf(schemaValidatorFor(schema, { validateSchema: !options.fromManifest }).compile(schema));
}

/**
 * The validator of a manifest's schema, read from `schemaPath`: its precompiled validator when one lies beside
 * the file and was generated from this very schema, else Ajv compiles it.
 */
export function manifestValueValidator(schema: Record<string, unknown>, schemaPath: string): ValueValidator {
  return (
    precompiledValueValidator(schemaPath, schema) ?? compileValueValidator(schema, { fromManifest: true })
  );
}

/** The precompiled validator beside `schemaPath`, if there is one for `schema` (a stale one is ignored). */
export function precompiledValueValidator(
  schemaPath: string,
  schema: Record<string, unknown>,
): ValueValidator | undefined {
  const file = precompiledValidatorFile(schemaPath);
  // Checked first: require() would answer from its cache for a file loaded before and deleted since.
  if (!existsSync(file)) return undefined;
  let validate: ValidateFunction & { schemaDigest?: string };
  try {
    validate = createRequire(file)(file);
  } catch {
    // Not loadable (damaged, hand-edited): Ajv compiles the schema instead, as if the file were absent.
    return undefined;
  }
  return validate.schemaDigest === schemaDigest(schema) && typeof validate === 'function'
    ? violationsOf(validate)
    : undefined;
}

function violationsOf(validate: ValidateFunction): ValueValidator {
  return (value) =>
    validate(value)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Structural equality of two parsed JSON documents, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
