/**
 * JSON Schema validation of record values. Compiled once per container with the same Ajv set-up the manifest
 * validator uses, so a schema that `stratus validate` accepts behaves identically in the handler.
 */
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
  const validate = schemaValidatorFor(schema, { validateSchema: !options.fromManifest }).compile(schema);
  return (value) =>
    validate(value)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Structural equality of two parsed JSON documents, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
