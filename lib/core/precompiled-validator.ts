/**
 * The precompiled validator a consumer's asset carries beside each of its schema files: Ajv's standalone code for
 * the schema, generated when the function is bundled (lib/contracts/precompiled-validator-code.ts), so a cold
 * start loads a small module instead of compiling the schema with Ajv. One rule for its name and for how it names
 * the schema it was generated from, shared by the bundling (CDK, tests) and the SDK that loads it.
 */
import { createHash } from 'node:crypto';

/** `schemas/order.json` → `schemas/order.validate.cjs` (CommonJS whatever the package around it says). */
export function precompiledValidatorFile(schemaFile: string): string {
  return `${schemaFile.replace(/\.json$/i, '')}.validate.cjs`;
}

/**
 * What a precompiled validator records of its schema: the SHA-256 of the schema's canonical JSON. The SDK loads
 * a validator only if it names the schema it is about to validate with, so a stale file is never used.
 */
export function schemaDigest(schema: unknown): string {
  return createHash('sha256').update(canonicalJson(schema)).digest('hex');
}

/** JSON with object keys sorted, so two documents that differ only in key order read the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
