import { existsSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { stagePrecompiledValidator } from '../contracts/precompiled-validator-code.ts';
import { consumerEnvironment } from '../core/function-env.ts';
import { consumerFunctionName } from '../core/naming.ts';
import { precompiledValidatorFile } from '../core/precompiled-validator.ts';
import { type QualityRuleSet, serializeQualityRuleSet } from '../core/quality-rule-set.ts';
import type { ConsumerSpec } from '../manifest/spec.ts';
import { consumerEsbuildOptions } from './consumer-bundling.ts';
import { consumerBundlingProps, writeFileCommand } from './consumer-bundling-props.ts';
import { placeInVpc } from './function-vpc.ts';

/** File name of the source topic's JSON Schema inside the function bundle (STRATUS_SCHEMA_FILE). */
export const BUNDLED_SCHEMA_FILE = 'stratus-schema.json';

/** File name of the output topic's JSON Schema inside the function bundle (STRATUS_OUTPUT_SCHEMA_FILE). */
export const BUNDLED_OUTPUT_SCHEMA_FILE = 'stratus-output-schema.json';

/** File name of the quality rules inside the function bundle (STRATUS_QUALITY_RULES_FILE). */
export const BUNDLED_QUALITY_RULES_FILE = 'stratus-quality-rules.json';

/** Properties of a {@link KafkaConsumer}. */
export interface KafkaConsumerProps {
  /** The resolved manifest consumer: topic, group, handler and every event-source setting. */
  readonly consumer: ConsumerSpec;
  /** Project root; `consumer.handlerFile`, `schemaFile` and `outputSchemaFile` are relative to it. */
  readonly rootDir: string;
  /** ARN of the MSK cluster. */
  readonly clusterArn: string;
  /** Comma-separated SASL/IAM bootstrap brokers the handler SDK produces to. */
  readonly bootstrapBrokers: string;
  /**
   * Shared idempotency table; set when the consumer declares `idempotency`.
   * @default - none
   */
  readonly idempotencyTableName?: string;
  /**
   * JSON Schema of the source topic's values, relative to `rootDir`; copied into the bundle.
   * @default - no schema
   */
  readonly schemaFile?: string;
  /**
   * JSON Schema of the output topic's values (processors), relative to `rootDir`; copied into the bundle.
   * @default - outputs are not validated
   */
  readonly outputSchemaFile?: string;
  /**
   * Data-quality rules of the source topic (input) and the output topic; written into the bundle.
   * @default - no rules
   */
  readonly qualityRules?: QualityRuleSet;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Lambda runtime; Node.js 22 or 24.
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * Subnets and security groups the function runs in (to reach the brokers it produces to).
   * @default - not in a VPC
   */
  readonly vpcConfig?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /**
   * Lock file that marks the bundling project root.
   * @default '<rootDir>/package-lock.json'
   */
  readonly depsLockFilePath?: string;
}

/** Provisioned-mode pollers of a mapping whose manifest sets no `pollers`. */
export const DEFAULT_POLLERS = { min: 1, max: 200 } as const;

/** Lambda's default batching window for Kafka sources, the only sub-second window it has. */
export const KAFKA_DEFAULT_BATCH_WINDOW_MS = 500;

const RUNTIMES = [lambda.Runtime.NODEJS_22_X.name, lambda.Runtime.NODEJS_24_X.name];

/**
 * One manifest consumer on AWS: a Node.js function (esbuild bundle of the team's handler, arm64, X-Ray,
 * Powertools environment) fed by a Kafka event-source mapping carrying every manifest setting, with the
 * tenant's DLQ topic as on-failure destination.
 */
export class KafkaConsumer extends Construct {
  /** The consumer function. */
  readonly function: nodejs.NodejsFunction;
  /** The event source, bound to the function. */
  readonly eventSource: sources.ManagedKafkaEventSource;
  /** The function name (`stratus-<tenant>-<consumer>`). */
  readonly functionName: string;
  /** The function's log group. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: KafkaConsumerProps) {
    super(scope, id);
    const c = props.consumer;
    validate(props);
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
    this.functionName = consumerFunctionName(c.tenant, c.key);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${this.functionName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const { schemaFile, outputSchemaFile } = props;
    const rules = props.qualityRules;
    const rulesText =
      rules && (rules.input.length > 0 || rules.output.length > 0)
        ? serializeQualityRuleSet(rules)
        : undefined;
    const environment = consumerEnvironment({
      tenant: c.tenant,
      consumer: c.key,
      sourceTopic: c.topic,
      outputTopic: c.output,
      dlqTopic: c.onFailureTopic,
      kafkaBrokers: props.bootstrapBrokers,
      kafkaAuth: 'iam',
      idempotency:
        c.idempotency && props.idempotencyTableName
          ? { key: c.idempotency.key, ttlMs: c.idempotency.ttlMs, table: props.idempotencyTableName }
          : undefined,
      // Relative to LAMBDA_TASK_ROOT: the afterBundling hook below puts the file there.
      schemaFile: schemaFile ? BUNDLED_SCHEMA_FILE : undefined,
      outputSchemaFile: outputSchemaFile ? BUNDLED_OUTPUT_SCHEMA_FILE : undefined,
      qualityRulesFile: rulesText ? BUNDLED_QUALITY_RULES_FILE : undefined,
      logLevel: props.logLevel ?? 'INFO',
    });

    const schemas = (
      [
        ['schemaFile', schemaFile, BUNDLED_SCHEMA_FILE],
        ['outputSchemaFile', outputSchemaFile, BUNDLED_OUTPUT_SCHEMA_FILE],
      ] as const
    ).flatMap(([prop, file, bundled]) => {
      if (!file) return [];
      try {
        return [{ file, bundled, validator: stagePrecompiledValidator(props.rootDir, file) }];
      } catch (error) {
        throw new Error(
          `KafkaConsumer ${c.groupId}: ${prop} "${file}" cannot be precompiled: ${(error as Error).message}`,
        );
      }
    });
    const esbuild = consumerEsbuildOptions(
      runtime.name === lambda.Runtime.NODEJS_22_X.name ? 'node22' : 'node24',
      props.rootDir,
      { qualityRules: rulesText !== undefined },
    );
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: this.functionName,
      description: `Stratus consumer ${c.groupId} (${c.topic}${c.output ? ` → ${c.output}` : ''})`,
      entry: path.resolve(props.rootDir, c.handlerFile),
      handler: 'handler',
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: c.memoryMb,
      timeout: Duration.millis(c.timeoutMs),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
      projectRoot: props.rootDir,
      depsLockFilePath: props.depsLockFilePath ?? path.join(props.rootDir, 'package-lock.json'),
      // CommonJS, minified, AWS SDK v3 left to the runtime, kafkajs without consumer and admin: see
      // consumer-bundling.ts, which the bundle-size benchmark and the bundled-handler test share.
      // Environment variables are capped at 4 KB, so schemas travel as files in the bundle. The command
      // text names the schemas, so bundles of different schemas never share CDK's asset cache.
      // Each schema travels with its precompiled validator (lib/core/precompiled-validator.ts): the cold start
      // loads Ajv's standalone code instead of compiling the schema.
      bundling: consumerBundlingProps(esbuild, props.rootDir, (inputDir, outputDir) => [
        ...schemas.flatMap(({ file, bundled, validator }) => [
          `cp "${inputDir}/${file}" "${outputDir}/${bundled}"`,
          `cp "${inputDir}/${validator}" "${outputDir}/${precompiledValidatorFile(bundled)}"`,
        ]),
        // The rules come from the manifest, not a file.
        ...(rulesText ? [writeFileCommand(`${outputDir}/${BUNDLED_QUALITY_RULES_FILE}`, rulesText)] : []),
      ]),
    });
    if (props.vpcConfig) placeInVpc(this.function, props.vpcConfig);

    this.eventSource = new sources.ManagedKafkaEventSource({
      clusterArn: props.clusterArn,
      topic: c.topic,
      consumerGroupId: c.groupId,
      batchSize: c.batchSize,
      // MaximumBatchingWindowInSeconds is whole seconds; left unset it is Lambda's Kafka default of 500 ms.
      maxBatchingWindow:
        c.batchWindowMs === KAFKA_DEFAULT_BATCH_WINDOW_MS ? undefined : Duration.millis(c.batchWindowMs),
      startingPosition: lambda.StartingPosition[c.startingPosition],
      // StartingPositionTimestamp is in seconds.
      startingPositionTimestamp:
        c.startingPositionTimestamp === undefined ? undefined : c.startingPositionTimestamp / 1000,
      filters:
        c.filters.length > 0 ? c.filters.map((pattern) => lambda.FilterCriteria.filter(pattern)) : undefined,
      retryAttempts: c.retries,
      maxRecordAge: c.maxRecordAgeMs === -1 ? undefined : Duration.millis(c.maxRecordAgeMs),
      bisectBatchOnError: c.bisectOnError,
      // The handler SDK always answers with batchItemFailures.
      reportBatchItemFailures: true,
      onFailure: c.onFailureTopic ? new sources.KafkaDlq(c.onFailureTopic) : undefined,
      // Kafka error-handling controls (retries, record age, bisect, partial batch responses, the Kafka
      // on-failure destination) exist in provisioned mode only, and every Stratus consumer uses them: without
      // manifest `pollers` the mapping gets Lambda's provisioned-mode defaults (1 to 200 pollers).
      // https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
      provisionedPollerConfig: {
        minimumPollers: c.pollers?.min ?? DEFAULT_POLLERS.min,
        maximumPollers: c.pollers?.max ?? DEFAULT_POLLERS.max,
      },
      metricsConfig: {
        metrics: [
          lambda.MetricType.EVENT_COUNT,
          lambda.MetricType.ERROR_COUNT,
          lambda.MetricType.KAFKA_METRICS,
        ],
      },
    });
    this.function.addEventSource(this.eventSource);
  }

  /** Id of the event-source mapping (the `EventSourceMappingUUID` metric dimension). */
  get eventSourceMappingId(): string {
    return this.eventSource.eventSourceMappingId;
  }
}

function validate(props: KafkaConsumerProps): void {
  const c = props.consumer;
  const fail = (message: string): never => {
    throw new Error(`KafkaConsumer ${c.groupId}: ${message}`);
  };
  if (props.runtime && !RUNTIMES.includes(props.runtime.name))
    fail(`runtime must be Node.js 22 or 24, got ${props.runtime.name}`);
  if (!existsSync(path.resolve(props.rootDir, c.handlerFile)))
    fail(`consumer.handlerFile "${c.handlerFile}" does not exist under ${props.rootDir}`);
  for (const prop of ['schemaFile', 'outputSchemaFile'] as const) {
    const file = props[prop];
    if (file && !existsSync(path.resolve(props.rootDir, file)))
      fail(`${prop} "${file}" does not exist under ${props.rootDir}`);
  }
  if (props.outputSchemaFile && !c.output)
    fail('outputSchemaFile is set but the consumer has no output topic');
  if (!c.groupId.startsWith(`${c.tenant}.`)) fail(`consumer.groupId must start with "${c.tenant}."`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1 || c.batchSize > 10_000)
    fail(`consumer.batchSize must be 1–10000, got ${c.batchSize}`);
  if (c.batchWindowMs < 0 || c.batchWindowMs > 300_000)
    fail(
      `consumer.batchWindowMs must be 0–300000 (MaximumBatchingWindowInSeconds 0–300), got ${c.batchWindowMs}`,
    );
  if (c.batchWindowMs % 1000 !== 0 && c.batchWindowMs !== KAFKA_DEFAULT_BATCH_WINDOW_MS)
    fail(
      `consumer.batchWindowMs must be whole seconds (MaximumBatchingWindowInSeconds) or the Kafka default of 500 ms, got ${c.batchWindowMs}`,
    );
  if (c.startingPosition === 'AT_TIMESTAMP' && c.startingPositionTimestamp === undefined)
    fail('consumer.startingPositionTimestamp is required with startingPosition AT_TIMESTAMP');
  if (c.startingPosition !== 'AT_TIMESTAMP' && c.startingPositionTimestamp !== undefined)
    fail('consumer.startingPositionTimestamp is only valid with startingPosition AT_TIMESTAMP');
  if (c.maxRecordAgeMs !== -1 && (c.maxRecordAgeMs < 60_000 || c.maxRecordAgeMs > 604_800_000))
    fail(`consumer.maxRecordAgeMs must be -1 or 60000–604800000, got ${c.maxRecordAgeMs}`);
  if (
    c.pollers &&
    (c.pollers.min < 1 || c.pollers.min > 200 || c.pollers.max < c.pollers.min || c.pollers.max > 2000)
  )
    fail(`consumer.pollers must have 1 ≤ min ≤ 200 and min ≤ max ≤ 2000, got ${JSON.stringify(c.pollers)}`);
  if (c.filters.length > 5) fail(`consumer.filters allows at most 5 patterns, got ${c.filters.length}`);
  if (c.onFailureTopic === c.topic) fail('consumer.onFailureTopic must differ from the source topic');
}
