/**
 * The schema registry, in the shape of the AWS Glue Schema Registry API (the AWS SDK's own request and response
 * types): Glue itself on AWS (`GlueSchemaRegistry`), and a local registry persisted under the state directory
 * (`LocalSchemaRegistry`), because moto 5.2.5 implements these calls but not their compatibility checks
 * (its glue/models.py says so: "compatibility checks ... not yet implemented").
 */
import {
  CreateRegistryCommand,
  type CreateRegistryCommandInput,
  type CreateRegistryCommandOutput,
  CreateSchemaCommand,
  type CreateSchemaCommandInput,
  type CreateSchemaCommandOutput,
  GetSchemaCommand,
  type GetSchemaCommandInput,
  type GetSchemaCommandOutput,
  GetSchemaVersionCommand,
  type GetSchemaVersionCommandInput,
  type GetSchemaVersionCommandOutput,
  type GlueClient,
  RegisterSchemaVersionCommand,
  type RegisterSchemaVersionCommandInput,
  type RegisterSchemaVersionCommandOutput,
} from '@aws-sdk/client-glue';

type Out<T> = Omit<T, '$metadata'>;

/** The Glue Schema Registry calls Stratus makes. */
export interface SchemaRegistryApi {
  createRegistry(input: CreateRegistryCommandInput): Promise<Out<CreateRegistryCommandOutput>>;
  createSchema(input: CreateSchemaCommandInput): Promise<Out<CreateSchemaCommandOutput>>;
  registerSchemaVersion(
    input: RegisterSchemaVersionCommandInput,
  ): Promise<Out<RegisterSchemaVersionCommandOutput>>;
  getSchemaVersion(input: GetSchemaVersionCommandInput): Promise<Out<GetSchemaVersionCommandOutput>>;
  getSchema(input: GetSchemaCommandInput): Promise<Out<GetSchemaCommandOutput>>;
}

/** The Glue Schema Registry through the AWS SDK (on AWS, or any endpoint in AWS_ENDPOINT_URL). */
export class GlueSchemaRegistry implements SchemaRegistryApi {
  constructor(private readonly client: GlueClient) {}
  createRegistry(input: CreateRegistryCommandInput) {
    return this.client.send(new CreateRegistryCommand(input));
  }
  createSchema(input: CreateSchemaCommandInput) {
    return this.client.send(new CreateSchemaCommand(input));
  }
  registerSchemaVersion(input: RegisterSchemaVersionCommandInput) {
    return this.client.send(new RegisterSchemaVersionCommand(input));
  }
  getSchemaVersion(input: GetSchemaVersionCommandInput) {
    return this.client.send(new GetSchemaVersionCommand(input));
  }
  getSchema(input: GetSchemaCommandInput) {
    return this.client.send(new GetSchemaCommand(input));
  }
}

/** Glue's "not found", whichever registry raised it. */
export function isEntityNotFound(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'EntityNotFoundException';
}

/** Glue's "already exists". */
export function isAlreadyExists(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AlreadyExistsException';
}
