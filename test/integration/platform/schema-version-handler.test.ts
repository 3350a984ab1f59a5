/**
 * The schema-version custom resource (functions/platform/schema-version-handler.ts) against the Glue Schema
 * Registry API of the AWS emulator (moto 5.2.5 implements the calls, not the compatibility checks, which is
 * why the handler runs Stratus' own), with the real AWS SDK: the first version creates the schema, the same
 * definition is unchanged, a compatible one becomes version 2, and an incompatible one fails the event (and
 * so the deployment) without registering anything. `stratus schema check --against-registry --aws` reads the
 * same registry.
 */
import { CreateRegistryCommand, GlueClient } from '@aws-sdk/client-glue';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  manageSchemaVersion,
  type SchemaVersionEvent,
} from '../../../functions/platform/schema-version-handler.ts';
import { registeredVersions } from '../../../lib/contracts/registration.ts';
import { GlueSchemaRegistry } from '../../../lib/contracts/registry.ts';
import { testServices, uniqueName } from '../../support/services.ts';

describe("schema-version custom resource against the emulator's Glue Schema Registry", () => {
  const client = new GlueClient(testServices().aws);
  const registry = new GlueSchemaRegistry(client);
  const RegistryName = `stratus-${uniqueName('cr')}`;
  const v1 = {
    type: 'object',
    properties: { id: { type: 'string' }, amount: { type: 'number' } },
    required: ['id'],
    additionalProperties: false,
  };
  const event = (
    schema: unknown,
    RequestType: SchemaVersionEvent['RequestType'] = 'Update',
  ): SchemaVersionEvent => ({
    RequestType,
    ResourceProperties: {
      RegistryName,
      SchemaName: 'orders',
      Compatibility: 'BACKWARD',
      SchemaDefinition: JSON.stringify(schema),
    },
    PhysicalResourceId: `${RegistryName}/orders`,
  });
  const versions = async () =>
    (await registeredVersions(registry, { registryName: RegistryName, schemaName: 'orders' })).map((v) => [
      v.versionNumber,
      'AVAILABLE',
    ]);

  beforeAll(async () => {
    // CloudFormation's AWS::Glue::Registry in the stack.
    await client.send(new CreateRegistryCommand({ RegistryName }));
  });

  it('creates, keeps, evolves, and refuses an incompatible version', async () => {
    expect(await manageSchemaVersion(registry, event(v1, 'Create'))).toEqual({
      PhysicalResourceId: `${RegistryName}/orders`,
      Data: { VersionNumber: 1 },
    });
    expect((await manageSchemaVersion(registry, event(v1))).Data).toEqual({ VersionNumber: 1 });

    const v2 = { ...v1, properties: { ...v1.properties, note: { type: 'string' } } };
    expect((await manageSchemaVersion(registry, event(v2))).Data).toEqual({ VersionNumber: 2 });
    expect(await versions()).toEqual([
      [1, 'AVAILABLE'],
      [2, 'AVAILABLE'],
    ]);

    const v3 = { ...v2, properties: { ...v2.properties, amount: { type: 'integer' } } };
    await expect(manageSchemaVersion(registry, event(v3))).rejects.toThrow(
      /not BACKWARD-compatible .*\$\.amount TYPE_NARROWED \(BACKWARD against v2\)/,
    );
    expect(await versions()).toHaveLength(2);
    // Delete keeps the history.
    expect(await manageSchemaVersion(registry, event(v3, 'Delete'))).toEqual({
      PhysicalResourceId: `${RegistryName}/orders`,
    });
    expect(await versions()).toHaveLength(2);
  });
});
