/**
 * Everything the SDK knows about the function, read once per container from the environment contract
 * (lib/core/function-env.ts) and the schema file it names. Nothing here is typed by a team twice: topics, DLQ,
 * idempotency and schema all come from the manifest through the environment.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type ConsumerEnvironment,
  FUNCTION_ENV,
  readConsumerEnvironment,
} from '../../lib/core/function-env.ts';
import type { QualityRuleSet } from '../../lib/core/quality-rule-set.ts';
import { StratusConfigurationError } from './errors.ts';
import { sameJson } from './schema.ts';

export interface SdkSettings extends ConsumerEnvironment {
  /** The source topic's JSON Schema, when the manifest or the handler gives one. */
  schema?: Record<string, unknown>;
  /** Where `schema` came from, for log lines and errors. */
  schemaSource?: string;
  /** The manifest's schema file, resolved (absent when the schema comes from the handler's code). */
  schemaPath?: string;
  /** The output topic's JSON Schema (processors), when the manifest or the handler gives one. */
  outputSchema?: Record<string, unknown>;
  /** The manifest's output schema file, resolved. */
  outputSchemaPath?: string;
  /** The manifest's data-quality rules of the source topic (input) and the output topic. */
  quality: QualityRuleSet;
}

export interface LoadSettingsInput {
  /** The schema passed to `defineConsumer`/`defineProcessor`, if any. */
  schema?: Record<string, unknown>;
  /** The output schema passed to `defineProcessor`, if any. */
  outputSchema?: Record<string, unknown>;
  /** Whether the handler is a processor (needs an output topic) or a consumer (must not have one). */
  kind: 'consumer' | 'processor';
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads the environment and the schema. The manifest's schema file wins; a schema also passed in code must be
 * the same document (key order aside), otherwise the function refuses to start rather than validate records
 * against a schema the platform does not know.
 */
export function loadSettings(input: LoadSettingsInput): SdkSettings {
  const env = input.env ?? process.env;
  let base: ConsumerEnvironment;
  try {
    base = readConsumerEnvironment(env);
  } catch (error) {
    throw new StratusConfigurationError((error as Error).message);
  }
  const name = `${base.tenant}.${base.consumer}`;
  if (input.kind === 'processor' && !base.outputTopic)
    throw new StratusConfigurationError(
      `${name} is written with defineProcessor but has no output topic (${FUNCTION_ENV.outputTopic}); declare "output:" for it in the manifest or use defineConsumer`,
    );
  if (input.kind === 'consumer' && base.outputTopic)
    throw new StratusConfigurationError(
      `${name} declares output "${base.outputTopic}" in the manifest but is written with defineConsumer, which produces nothing; use defineProcessor`,
    );

  const inputSchema = readSchema(base.schemaFile, FUNCTION_ENV.schemaFile, input.schema, env);
  const output = readSchema(base.outputSchemaFile, FUNCTION_ENV.outputSchemaFile, input.outputSchema, env);
  return {
    ...base,
    schema: inputSchema?.schema,
    schemaSource: inputSchema?.source,
    schemaPath: inputSchema?.path,
    outputSchema: output?.schema,
    outputSchemaPath: output?.path,
    quality: readQualityRules(base.qualityRulesFile, env),
  };
}

function resolveFile(file: string, env: NodeJS.ProcessEnv): string {
  return path.isAbsolute(file) ? file : path.resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
}

/** The rules file the platform bundles (STRATUS_QUALITY_RULES_FILE); no file, no rules. */
function readQualityRules(file: string | undefined, env: NodeJS.ProcessEnv): QualityRuleSet {
  if (!file) return { input: [], output: [] };
  try {
    const parsed = JSON.parse(readFileSync(resolveFile(file, env), 'utf8')) as Partial<QualityRuleSet>;
    return { input: parsed.input ?? [], output: parsed.output ?? [] };
  } catch (error) {
    throw new StratusConfigurationError(
      `cannot read the quality rules file ${file} (${FUNCTION_ENV.qualityRulesFile}): ${(error as Error).message}`,
    );
  }
}

/**
 * One schema: the manifest's file when there is one (relative paths resolve against LAMBDA_TASK_ROOT), which a
 * schema also given in code must equal; otherwise the code's schema.
 */
function readSchema(
  schemaFile: string | undefined,
  variable: string,
  fromCode: Record<string, unknown> | undefined,
  env: NodeJS.ProcessEnv,
): { schema: Record<string, unknown>; source: string; path?: string } | undefined {
  if (!schemaFile) return fromCode ? { schema: fromCode, source: 'handler code' } : undefined;
  const file = resolveFile(schemaFile, env);
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new StratusConfigurationError(
      `cannot read the schema file ${file} (${variable}): ${(error as Error).message}`,
    );
  }
  if (fromCode && !sameJson(fromCode, schema))
    throw new StratusConfigurationError(
      `the schema passed to the handler differs from the manifest's schema file ${schemaFile} (${variable}); remove it from the code or make them identical`,
    );
  return { schema, source: schemaFile, path: file };
}
