/**
 * A Glue-Schema-Registry-shaped registry for local runs, one JSON file per schema under
 * `<stateDir>/schema-registry/<registry>/`, written atomically (temp file + rename) so a crash leaves the last
 * complete state. Unlike moto's, it enforces the schema's compatibility mode on RegisterSchemaVersion, with the
 * same checker `stratus schema check` uses; like Glue, an incompatible version is recorded with status FAILURE
 * (https://docs.aws.amazon.com/glue/latest/webapi/API_RegisterSchemaVersion.html) and never becomes the latest
 * AVAILABLE version.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  CreateRegistryCommandInput,
  CreateSchemaCommandInput,
  GetSchemaCommandInput,
  GetSchemaVersionCommandInput,
  RegisterSchemaVersionCommandInput,
  SchemaId,
} from '@aws-sdk/client-glue';
import { checkCompatibility, fromGlueCompatibility } from './compatibility.ts';
import type { SchemaRegistryApi } from './registry.ts';
import { sameJson } from './schema-diff.ts';

const ACCOUNT = '000000000000';

interface StoredVersion {
  VersionNumber: number;
  SchemaVersionId: string;
  SchemaDefinition: string;
  Status: 'AVAILABLE' | 'FAILURE';
  CreatedTime: string;
}

interface StoredSchema {
  SchemaName: string;
  RegistryName: string;
  /** Glue's spelling (`BACKWARD_ALL`). */
  Compatibility: string;
  DataFormat: string;
  versions: StoredVersion[];
}

function glueError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class LocalSchemaRegistry implements SchemaRegistryApi {
  constructor(
    /** `<stateDir>/schema-registry`. */
    readonly dir: string,
    readonly region = 'local',
  ) {}

  private registryDir(name: string): string {
    return path.join(this.dir, name);
  }
  private schemaFile(registry: string, schema: string): string {
    return path.join(this.registryDir(registry), `${schema}.json`);
  }
  private arn(kind: 'registry' | 'schema', ...parts: string[]): string {
    return `arn:aws:glue:${this.region}:${ACCOUNT}:${kind}/${parts.join('/')}`;
  }

  private read(id: SchemaId | undefined): StoredSchema {
    const { registry, schema } = this.names(id);
    const file = this.schemaFile(registry, schema);
    if (!existsSync(file))
      throw glueError('EntityNotFoundException', `Schema is not found. SchemaName: ${schema}`);
    return JSON.parse(readFileSync(file, 'utf8')) as StoredSchema;
  }

  private write(stored: StoredSchema): void {
    const file = this.schemaFile(stored.RegistryName, stored.SchemaName);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(stored, null, 2)}\n`);
    renameSync(temp, file);
  }

  private names(id: SchemaId | undefined): { registry: string; schema: string } {
    if (id?.SchemaArn) {
      const [, registry, schema] = /schema\/([^/]+)\/([^/]+)$/.exec(id.SchemaArn) ?? [];
      if (registry && schema) return { registry, schema };
    }
    if (!id?.SchemaName) throw glueError('InvalidInputException', 'SchemaId needs SchemaArn or SchemaName');
    return { registry: id.RegistryName ?? 'default-registry', schema: id.SchemaName };
  }

  async createRegistry(input: CreateRegistryCommandInput) {
    const name = input.RegistryName!;
    if (existsSync(this.registryDir(name)))
      throw glueError('AlreadyExistsException', `Registry already exists. RegistryName: ${name}`);
    mkdirSync(this.registryDir(name), { recursive: true });
    return { RegistryArn: this.arn('registry', name), RegistryName: name, Description: input.Description };
  }

  async createSchema(input: CreateSchemaCommandInput) {
    const registry = input.RegistryId?.RegistryName ?? 'default-registry';
    const name = input.SchemaName!;
    if (!existsSync(this.registryDir(registry)))
      throw glueError('EntityNotFoundException', `Registry is not found. RegistryName: ${registry}`);
    if (existsSync(this.schemaFile(registry, name)))
      throw glueError('AlreadyExistsException', `Schema already exists. SchemaName: ${name}`);
    const version: StoredVersion = {
      VersionNumber: 1,
      SchemaVersionId: randomUUID(),
      SchemaDefinition: input.SchemaDefinition!,
      Status: 'AVAILABLE',
      CreatedTime: new Date().toISOString(),
    };
    this.write({
      SchemaName: name,
      RegistryName: registry,
      Compatibility: input.Compatibility ?? 'BACKWARD',
      DataFormat: input.DataFormat ?? 'JSON',
      versions: [version],
    });
    return {
      RegistryName: registry,
      SchemaName: name,
      SchemaArn: this.arn('schema', registry, name),
      DataFormat: input.DataFormat,
      Compatibility: input.Compatibility,
      LatestSchemaVersion: 1,
      NextSchemaVersion: 2,
      SchemaStatus: 'AVAILABLE' as const,
      SchemaVersionId: version.SchemaVersionId,
      SchemaVersionStatus: 'AVAILABLE' as const,
    };
  }

  async registerSchemaVersion(input: RegisterSchemaVersionCommandInput) {
    const stored = this.read(input.SchemaId);
    const definition = input.SchemaDefinition!;
    const parsed = JSON.parse(definition) as unknown;
    // Glue returns the existing version for a definition it already has.
    const existing = stored.versions.find((v) => sameJson(JSON.parse(v.SchemaDefinition), parsed));
    if (existing)
      return {
        SchemaVersionId: existing.SchemaVersionId,
        VersionNumber: existing.VersionNumber,
        Status: existing.Status,
      };
    const history = stored.versions
      .filter((v) => v.Status === 'AVAILABLE')
      .map((v) => ({
        schema: JSON.parse(v.SchemaDefinition) as unknown,
        file: `registry v${v.VersionNumber}`,
      }));
    // DISABLED: Glue refuses every new version.
    const mode = fromGlueCompatibility(stored.Compatibility);
    const compatible =
      mode !== undefined &&
      checkCompatibility(mode, history, { schema: parsed, file: 'candidate' }).length === 0;
    const version: StoredVersion = {
      VersionNumber: stored.versions.length + 1,
      SchemaVersionId: randomUUID(),
      SchemaDefinition: definition,
      Status: compatible ? 'AVAILABLE' : 'FAILURE',
      CreatedTime: new Date().toISOString(),
    };
    stored.versions.push(version);
    this.write(stored);
    return {
      SchemaVersionId: version.SchemaVersionId,
      VersionNumber: version.VersionNumber,
      Status: version.Status,
    };
  }

  async getSchemaVersion(input: GetSchemaVersionCommandInput) {
    const stored = this.read(input.SchemaId);
    const wanted = input.SchemaVersionNumber;
    const version = wanted?.LatestVersion
      ? stored.versions.filter((v) => v.Status === 'AVAILABLE').at(-1)
      : stored.versions.find((v) => v.VersionNumber === wanted?.VersionNumber);
    if (!version)
      throw glueError(
        'EntityNotFoundException',
        `Schema version is not found. SchemaName: ${stored.SchemaName}`,
      );
    return {
      SchemaVersionId: version.SchemaVersionId,
      SchemaDefinition: version.SchemaDefinition,
      DataFormat: stored.DataFormat as 'JSON',
      SchemaArn: this.arn('schema', stored.RegistryName, stored.SchemaName),
      VersionNumber: version.VersionNumber,
      Status: version.Status,
      CreatedTime: version.CreatedTime,
    };
  }

  async getSchema(input: GetSchemaCommandInput) {
    const stored = this.read(input.SchemaId);
    return {
      RegistryName: stored.RegistryName,
      SchemaName: stored.SchemaName,
      SchemaArn: this.arn('schema', stored.RegistryName, stored.SchemaName),
      DataFormat: stored.DataFormat as 'JSON',
      Compatibility: stored.Compatibility as 'BACKWARD',
      SchemaStatus: 'AVAILABLE' as const,
      LatestSchemaVersion: stored.versions.length,
      NextSchemaVersion: stored.versions.length + 1,
    };
  }
}
