/**
 * Custom-resource handler that registers a topic's schema version in the tenant's Glue Schema Registry
 * behind Stratus' compatibility check (lib/contracts/registration.ts), under the CDK provider framework
 * (`onEvent`: return the physical id, throw to fail):
 *   Create/Update  create the schema (first version) or check the definition against every AVAILABLE version
 *                  under the topic's mode and register it; an incompatible definition throws, so the
 *                  deployment fails and CloudFormation rolls back before any function reads with it
 *   Delete         nothing: versions are history (the registry itself follows the tenant's removal policy)
 * Why not AWS::Glue::Schema/SchemaVersion: a Schema's SchemaDefinition is create-only (a new definition would
 * replace the schema, which fails on its fixed name), and Glue's own checks are documented for Avro and
 * Protobuf only; this handler applies the JSON Schema rules `stratus schema check` reports.
 */
import { GlueClient } from '@aws-sdk/client-glue';
import type { CompatibilityMode } from '../../lib/contracts/compatibility.ts';
import { registerCheckedVersion } from '../../lib/contracts/registration.ts';
import { GlueSchemaRegistry, type SchemaRegistryApi } from '../../lib/contracts/registry.ts';

/** The custom resource's properties, as CloudFormation passes them. */
export interface SchemaVersionProperties {
  RegistryName: string;
  SchemaName: string;
  /** Stratus' spelling (`BACKWARD_TRANSITIVE`). */
  Compatibility: CompatibilityMode;
  SchemaDefinition: string;
}

export interface SchemaVersionEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResourceProperties: SchemaVersionProperties & { ServiceToken?: string };
  PhysicalResourceId?: string;
}

export interface SchemaVersionResponse {
  PhysicalResourceId: string;
  Data?: { VersionNumber: number };
}

/** Applies one event to a registry of the Glue API shape (Glue on AWS; moto or the local registry in tests). */
export async function manageSchemaVersion(
  registry: SchemaRegistryApi,
  event: SchemaVersionEvent,
): Promise<SchemaVersionResponse> {
  const p = event.ResourceProperties;
  const PhysicalResourceId = `${p.RegistryName}/${p.SchemaName}`;
  if (event.RequestType === 'Delete')
    return { PhysicalResourceId: event.PhysicalResourceId ?? PhysicalResourceId };
  let schema: unknown;
  try {
    schema = JSON.parse(p.SchemaDefinition);
  } catch (error) {
    throw new Error(`schema ${PhysicalResourceId} is not JSON: ${(error as Error).message}`);
  }
  const result = await registerCheckedVersion(
    registry,
    { registryName: p.RegistryName, schemaName: p.SchemaName },
    {
      mode: p.Compatibility,
      definition: p.SchemaDefinition,
      candidate: { schema, file: PhysicalResourceId },
    },
  );
  if (result.outcome === 'incompatible')
    throw new Error(
      `schema ${PhysicalResourceId} is not ${p.Compatibility}-compatible with its registered versions: ${result.violations
        .map((v) => `${v.dataPath} ${v.rule} (${v.direction} against v${v.againstVersion})`)
        .join('; ')}. Run \`stratus schema check --against-registry --aws\` for file:line and why.`,
    );
  if (result.outcome === 'failed') throw new Error(`schema ${PhysicalResourceId}: ${result.message}`);
  return { PhysicalResourceId, Data: { VersionNumber: result.versionNumber } };
}

const registry = new GlueSchemaRegistry(new GlueClient({}));

export async function handler(event: SchemaVersionEvent): Promise<SchemaVersionResponse> {
  return manageSchemaVersion(registry, event);
}
