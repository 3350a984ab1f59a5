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
