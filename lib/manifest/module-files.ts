import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
// Ajv's modules by their files, not their package names: consumer function bundles swap exactly these three for
// stand-ins that load Ajv on first use (lib/aws/ajv-companion.ts), and leave a handler's own `ajv` alone.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv/dist/ajv.js';
import addFormatsModule from 'ajv-formats/dist/index.js';
import { quote } from '../core/quote.ts';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Handler modules must export a function named `handler`, as Lambda's Node.js runtime looks it up. */
const HANDLER_EXPORT =
  /export\s+(?:const|let|var|(?:async\s+)?function\*?)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/;

/**
 * Checks a handler file without running it: it exists, is TypeScript or JavaScript, and exports `handler`.
 * Returns a problem message or undefined.
 */
export function checkHandlerFile(rootDir: string, file: string): string | undefined {
  const absolute = path.resolve(rootDir, file);
  if (!/\.(ts|mts|js|mjs)$/.test(file)) return `${quote(file)} must be a .ts, .mts, .js or .mjs file`;
  if (!existsSync(absolute) || !statSync(absolute).isFile())
    return `handler file ${quote(file)} does not exist`;
  if (!HANDLER_EXPORT.test(readFileSync(absolute, 'utf8'))) return `${quote(file)} does not export "handler"`;
  return undefined;
}

/** Loads a JSON Schema file and checks it is a valid schema (draft-07 or 2020-12, by its `$schema`). */
export function loadJsonSchema(rootDir: string, file: string): LoadedSchema {
  const absolute = path.resolve(rootDir, file);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    return { problem: `schema file ${quote(file)} does not exist` };
  }
  const stat = statSync(absolute);
  const cacheKey = `${absolute}:${stat.mtimeMs}:${stat.size}:${file}`;
  const cached = schemaCache.get(cacheKey);
  if (cached) return cached;
  const loaded = readJsonSchema(absolute, file);
  schemaCache.set(cacheKey, loaded);
  return loaded;
}

type LoadedSchema = { schema?: Record<string, unknown>; problem?: string };

// Compiling a schema costs milliseconds; many tenants share schemas, and a file is re-read only when it changes.
const schemaCache = new Map<string, LoadedSchema>();

function readJsonSchema(absolute: string, file: string): LoadedSchema {
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (error) {
    return { problem: `schema file ${quote(file)} is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return { problem: `schema file ${quote(file)} must contain a JSON object` };
  }
  const ajv = schemaValidatorFor(schema as Record<string, unknown>);
  if (!ajv.validateSchema(schema)) {
    const detail = (ajv.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    return { problem: `schema file ${quote(file)} is not a valid JSON Schema: ${detail}` };
  }
  try {
    ajv.compile(schema as Record<string, unknown>);
  } catch (error) {
    return { problem: `schema file ${quote(file)} does not compile: ${(error as Error).message}` };
  }
  return { schema: schema as Record<string, unknown> };
}

/**
 * The Ajv instance matching a schema's declared draft. Shared by the SDK so both read schemas alike.
 * `validateSchema: false` skips checking the schema against its draft's meta-schema on `compile` (compiling the
 * 2020-12 meta-schema is most of a schema's compile time); only for schemas this module already checked.
 */
export function schemaValidatorFor(
  schema: Record<string, unknown>,
  {
    validateSchema = true,
    standaloneSource = false,
  }: {
    validateSchema?: boolean;
    /** Keep the generated code, for Ajv's standalone export (lib/contracts/precompiled-validator-code.ts). */
    standaloneSource?: boolean;
  } = {},
): Ajv | Ajv2020 {
  const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const options = {
    allErrors: true,
    strict: false,
    validateSchema,
    ...(standaloneSource ? { code: { source: true } } : {}),
  };
  const ajv = draft2020 ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv);
  return ajv;
}
