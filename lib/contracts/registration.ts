/**
 * Registering a topic's schema version behind Stratus' own compatibility check, against any registry of the
 * Glue API shape. The same code runs in `stratus dev` (local registry), in the CloudFormation custom resource
 * that registers versions on AWS (so an incompatible version fails the deployment), and reads history for
 * `stratus schema check --against-registry`. Glue is not trusted to check JSON Schema compatibility itself: its
 * documented checks name Avro and Protobuf, and users report JSON versions registering without one.
 */
import {
  type CompatibilityMode,
  type CompatibilityViolation,
  checkCompatibility,
  glueCompatibility,
} from './compatibility.ts';
import { isAlreadyExists, isEntityNotFound, type SchemaRegistryApi } from './registry.ts';
import { sameJson } from './schema-diff.ts';
import type { SchemaDocument } from './schema-document.ts';

export interface SchemaTarget {
  registryName: string;
  schemaName: string;
}

export interface RegisteredVersion {
  versionNumber: number;
  definition: string;
}

/**
 * Every AVAILABLE version, oldest first; empty when the schema does not exist yet. Walks version numbers up to
 * GetSchema's LatestSchemaVersion (ListSchemaVersions would page, and moto 5.2.5 does not implement it).
 */
export async function registeredVersions(
  registry: SchemaRegistryApi,
  target: SchemaTarget,
): Promise<RegisteredVersion[]> {
  const SchemaId = { RegistryName: target.registryName, SchemaName: target.schemaName };
  let latest: number;
  try {
    latest = (await registry.getSchema({ SchemaId })).LatestSchemaVersion ?? 0;
  } catch (error) {
    if (isEntityNotFound(error)) return [];
    throw error;
  }
  const versions: RegisteredVersion[] = [];
  for (let VersionNumber = 1; VersionNumber <= latest; VersionNumber++) {
    let version: Awaited<ReturnType<SchemaRegistryApi['getSchemaVersion']>>;
    try {
      version = await registry.getSchemaVersion({ SchemaId, SchemaVersionNumber: { VersionNumber } });
    } catch (error) {
      // A deleted version leaves a gap in the numbers.
      if (isEntityNotFound(error)) continue;
      throw error;
    }
    if (version.Status === 'AVAILABLE')
      versions.push({ versionNumber: VersionNumber, definition: version.SchemaDefinition ?? '' });
  }
  return versions;
}

export type RegistrationResult =
  | { outcome: 'created' | 'registered' | 'unchanged'; versionNumber: number }
  | { outcome: 'incompatible'; violations: CompatibilityViolation[] }
  | { outcome: 'failed'; message: string };

export interface RegisterOptions {
  mode: CompatibilityMode;
  /** The candidate's text, exactly as registered. */
  definition: string;
  /** The candidate as a document (its `$ref`s resolvable), for the check. */
  candidate: SchemaDocument;
  /** Creates the registry when it is missing (locally; on AWS CloudFormation owns it). */
  createRegistry?: boolean;
  /** Polls a PENDING version (Glue validates asynchronously). */
  pollMs?: number;
  timeoutMs?: number;
}

export async function registerCheckedVersion(
  registry: SchemaRegistryApi,
  target: SchemaTarget,
  options: RegisterOptions,
): Promise<RegistrationResult> {
  const SchemaId = { RegistryName: target.registryName, SchemaName: target.schemaName };
  const history = await registeredVersions(registry, target);
  if (history.length === 0) {
    if (options.createRegistry) {
      try {
        await registry.createRegistry({
          RegistryName: target.registryName,
          Description: 'Stratus topic schemas',
        });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
    try {
      await registry.createSchema({
        RegistryId: { RegistryName: target.registryName },
        SchemaName: target.schemaName,
        DataFormat: 'JSON',
        Compatibility: glueCompatibility(options.mode) as never,
        SchemaDefinition: options.definition,
      });
      return { outcome: 'created', versionNumber: 1 };
    } catch (error) {
      // A schema whose every version FAILED exists with no AVAILABLE version: register into it.
      if (!isAlreadyExists(error)) throw error;
    }
  }
  const latest = history.at(-1);
  if (latest && sameJson(safeParse(latest.definition), options.candidate.schema))
    return { outcome: 'unchanged', versionNumber: latest.versionNumber };
  const violations = checkCompatibility(
    options.mode,
    history.map((v) => ({
      schema: safeParse(v.definition),
      file: `${target.schemaName} v${v.versionNumber}`,
    })),
    options.candidate,
  );
  if (violations.length > 0) return { outcome: 'incompatible', violations };
  const registered = await registry.registerSchemaVersion({ SchemaId, SchemaDefinition: options.definition });
  let status = registered.Status;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (status === 'PENDING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
    // By schema and number, not SchemaVersionId: IAM then scopes the call to the tenant's schema ARN.
    status = (
      await registry.getSchemaVersion({
        SchemaId,
        SchemaVersionNumber: { VersionNumber: registered.VersionNumber },
      })
    ).Status;
  }
  if (status !== 'AVAILABLE')
    return {
      outcome: 'failed',
      message: `the registry left version ${registered.VersionNumber} in status ${status}`,
    };
  return { outcome: 'registered', versionNumber: registered.VersionNumber ?? history.length + 1 };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
