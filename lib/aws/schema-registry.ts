import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { registrySchemaName, schemaRegistryName } from '../core/naming.ts';
import type { TopicSpec } from '../manifest/spec.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Glue's limit on a schema definition (RegisterSchemaVersion SchemaDefinition, 170,000 characters). */
const MAX_DEFINITION = 170_000;

/** Properties of a {@link TenantSchemaRegistry}. */
export interface TenantSchemaRegistryProps {
  /** Tenant name; the registry is `stratus-<tenant>`. */
  readonly tenant: string;
  /** The tenant's topics; each one with a schema file gets a schema (named by its topic key) and versions. */
  readonly topics: readonly TopicSpec[];
  /** Project root; `schemaFile`s are relative to it. */
  readonly rootDir: string;
  /**
   * What deleting the stack does to the registry (and so to every schema version in it). A retained registry
   * would keep its fixed name and make re-creating the tenant stack fail, so it goes with the stack by default.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Log retention of the version handler.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The tenant's AWS Glue Schema Registry (`stratus-<tenant>`, one per tenant so IAM can scope a tenant to its
 * own registry and schemas) and one registered version per topic schema. Each version is a custom resource
 * whose handler (functions/platform/schema-version-handler.ts) checks the definition against every AVAILABLE
 * version under the topic's compatibility mode before registering it: an incompatible schema fails the
 * deployment and CloudFormation rolls back, before any function or table sees it.
 */
export class TenantSchemaRegistry extends Construct {
  readonly registry: glue.CfnRegistry;
  readonly registryName: string;
  /** `arn:…:registry/stratus-<tenant>`. */
  readonly registryArn: string;
  /** `arn:…:schema/stratus-<tenant>/*`: every schema of the tenant. */
  readonly schemasArn: string;
  readonly handler: nodejs.NodejsFunction;
  /** The version resource of each topic with a schema, by topic key. */
  readonly versions = new Map<string, CustomResource>();

  constructor(scope: Construct, id: string, props: TenantSchemaRegistryProps) {
    super(scope, id);
    this.registryName = schemaRegistryName(props.tenant);
    const stack = Stack.of(this);
    this.registryArn = stack.formatArn({
      service: 'glue',
      resource: 'registry',
      resourceName: this.registryName,
    });
    this.schemasArn = stack.formatArn({
      service: 'glue',
      resource: 'schema',
      resourceName: `${this.registryName}/*`,
    });
    this.registry = new glue.CfnRegistry(this, 'Registry', {
      name: this.registryName,
      description: `Stratus: topic schemas of tenant ${props.tenant}`,
    });
    this.registry.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);

    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.handler = new nodejs.NodejsFunction(this, 'Handler', {
      description: `Stratus: checked schema versions of tenant ${props.tenant}`,
      entry: path.join(PROJECT_ROOT, 'functions/platform/schema-version-handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup: new logs.LogGroup(this, 'Logs', {
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        format: nodejs.OutputFormat.CJS,
        target: 'node24',
        minify: true,
        externalModules: ['@aws-sdk/*'],
      },
    });
    // Only its own registry and schemas (https://docs.aws.amazon.com/glue/latest/dg/schema-registry-gs1b.html).
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'glue:GetRegistry',
          'glue:GetSchema',
          'glue:CreateSchema',
          'glue:GetSchemaVersion',
          'glue:RegisterSchemaVersion',
        ],
        resources: [this.registryArn, this.schemasArn],
      }),
    );
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', {
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });

    for (const topic of props.topics) {
      if (topic.isDlq || !topic.schemaFile) continue;
      const definition = readFileSync(path.resolve(props.rootDir, topic.schemaFile), 'utf8');
      if (definition.length > MAX_DEFINITION)
        throw new Error(
          `TenantSchemaRegistry ${props.tenant}: topics.${topic.key}.schema "${topic.schemaFile}" has ${definition.length} characters; Glue accepts ${MAX_DEFINITION}`,
        );
      const version = new CustomResource(this, `Version-${topic.key}`, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::StratusSchemaVersion',
        properties: {
          RegistryName: this.registryName,
          SchemaName: registrySchemaName(topic.key),
          Compatibility: topic.compatibility,
          SchemaDefinition: definition,
        },
      });
      version.node.addDependency(this.registry);
      this.versions.set(topic.key, version);
    }
  }

  /** Read-only access to the tenant's own schemas (a function looking up a version). */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'glue:GetSchema',
        'glue:GetSchemaVersion',
        'glue:ListSchemaVersions',
        'glue:GetSchemaByDefinition',
      ],
      resourceArns: [this.registryArn, this.schemasArn],
    });
  }
}
