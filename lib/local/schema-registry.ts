/**
 * The local schema registry of `stratus dev` (lib/contracts/local-registry.ts) under `<stateDir>/schema-registry`,
 * and the registration of every topic's schema at start: a compatible change becomes a new version, an
 * incompatible one stops the start with the same report as `stratus schema check`.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LocalSchemaRegistry } from '../contracts/local-registry.ts';
import { type RegistrationResult, registerCheckedVersion } from '../contracts/registration.ts';
import { schemaFromFile } from '../contracts/schema-files.ts';
import { registrySchemaName, schemaRegistryName } from '../core/naming.ts';
import type { PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import { statePaths } from './state-dir.ts';

export function localSchemaRegistry(platform: PlatformSpec): LocalSchemaRegistry {
  return new LocalSchemaRegistry(path.join(statePaths(platform).root, 'schema-registry'), platform.region);
}

export interface TopicRegistration {
  tenant: string;
  topic: string;
  file: string;
  result: RegistrationResult;
}

/** Registers every topic schema of the tenants, in manifest order. */
export async function registerTenantSchemas(
  platform: PlatformSpec,
  tenants: readonly TenantSpec[],
  registry = localSchemaRegistry(platform),
): Promise<TopicRegistration[]> {
  const results: TopicRegistration[] = [];
  for (const tenant of tenants) {
    for (const topic of tenant.topics) {
      if (topic.isDlq || !topic.schemaFile) continue;
      const result = await registerCheckedVersion(
        registry,
        { registryName: schemaRegistryName(tenant.name), schemaName: registrySchemaName(topic.key) },
        {
          mode: topic.compatibility,
          definition: readFileSync(path.resolve(platform.rootDir, topic.schemaFile), 'utf8'),
          candidate: schemaFromFile(platform.rootDir, topic.schemaFile)!,
          createRegistry: true,
        },
      );
      results.push({ tenant: tenant.name, topic: topic.name, file: topic.schemaFile, result });
    }
  }
  return results;
}

/**
 * Progress lines for new versions; throws (with every incompatible change) when a schema was refused, naming
 * the command that explains it and the directory to delete to start the local history over.
 */
export function describeRegistrations(registrations: readonly TopicRegistration[]): string[] {
  const refused = registrations.flatMap(({ topic, file, result }) => {
    if (result.outcome === 'incompatible')
      return result.violations.map(
        (v) => `${file}  ${v.dataPath}  ${v.rule}  (${topic}, ${v.mode})  ${v.why}`,
      );
    if (result.outcome === 'failed') return [`${file}  (${topic})  ${result.message}`];
    return [];
  });
  if (refused.length > 0)
    throw new Error(
      `the local schema registry refused incompatible schema changes:\n${refused.join('\n')}\n(see \`stratus schema check --against-registry\`; change the topic's compatibility, or delete the state directory's schema-registry/ to start its history over)`,
    );
  return registrations.flatMap(({ topic, result }) =>
    result.outcome === 'created' || result.outcome === 'registered'
      ? [`schema of ${topic}: version ${result.versionNumber} registered in the local schema registry`]
      : [],
  );
}
