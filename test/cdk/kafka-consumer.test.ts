import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SCHEMA_FILE, KafkaConsumer, type KafkaConsumerProps } from '../../lib/aws/kafka-consumer.ts';
import { consumerEnvironment } from '../../lib/core/function-env.ts';
import type { ConsumerSpec } from '../../lib/manifest/spec.ts';
import { appWithoutBundling, exampleTenant, REPO_ROOT } from './helpers.ts';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3';
const BROKERS =
  'b-1.stratus.kafka.eu-west-1.amazonaws.com:9098,b-2.stratus.kafka.eu-west-1.amazonaws.com:9098';

function consumer(overrides: Partial<ConsumerSpec> = {}): ConsumerSpec {
  return { ...exampleTenant('payments').consumers[0]!, ...overrides };
}

function synth(overrides: Partial<KafkaConsumerProps> = {}, spec = consumer()) {
  const stack = new Stack(appWithoutBundling(), 'Test', {
    env: { region: 'eu-west-1', account: '123456789012' },
  });
  const construct = new KafkaConsumer(stack, 'Consumer', {
    consumer: spec,
    rootDir: REPO_ROOT,
    clusterArn: CLUSTER,
    bootstrapBrokers: BROKERS,
    idempotencyTableName: 'stratus-idempotency',
    schemaFile: 'schemas/payments/order.schema.json',
    logLevel: 'DEBUG',
    vpcConfig: {
      subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
      securityGroupIds: ['sg-0a1b2c3d4e5f60003'],
    },
    ...overrides,
  });
  return { construct, template: Template.fromStack(stack) };
}

describe('KafkaConsumer', () => {
  it('is an arm64 Node.js function with X-Ray, log retention and the shared function environment', () => {
    const { template, construct } = synth();
    const spec = consumer();
    expect(construct.functionName).toBe('stratus-payments-enrich-orders');
    const environment = consumerEnvironment({
      tenant: 'payments',
      consumer: 'enrich-orders',
      sourceTopic: 'payments.orders',
      outputTopic: 'payments.orders-enriched',
      dlqTopic: 'payments.dlq',
      kafkaBrokers: BROKERS,
      kafkaAuth: 'iam',
      idempotency: { key: 'value.eventId', ttlMs: 3_600_000, table: 'stratus-idempotency' },
      schemaFile: BUNDLED_SCHEMA_FILE,
      logLevel: 'DEBUG',
    });
    expect(environment.POWERTOOLS_SERVICE_NAME).toBe('payments');
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'stratus-payments-enrich-orders',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: spec.memoryMb,
      Timeout: spec.timeoutMs / 1000,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: { ...environment, NODE_OPTIONS: '--enable-source-maps' } },
      VpcConfig: {
        SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        SecurityGroupIds: ['sg-0a1b2c3d4e5f60003'],
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/stratus-payments-enrich-orders',
      RetentionInDays: 30,
    });
  });

  it('maps every manifest setting onto the Kafka event-source mapping', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: CLUSTER,
      Topics: ['payments.orders'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'payments.enrich-orders' },
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ value: { type: ['order.created', 'order.updated'] } }) }],
      },
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: 'kafka://payments.dlq' } },
      MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
      // Error-handling controls need provisioned mode: Lambda's defaults when the manifest sets no pollers.
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 200 },
    });
    // 500 ms is Lambda's Kafka default and cannot be written in whole seconds: it is left unset.
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0]!;
    expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
  });

  it('carries AT_TIMESTAMP, whole-second windows, provisioned pollers and no DLQ when the manifest says so', () => {
    const at = Date.parse('2026-11-01T00:00:00Z');
    const { template } = synth(
      {},
      consumer({
        startingPosition: 'AT_TIMESTAMP',
        startingPositionTimestamp: at,
        batchWindowMs: 2_000,
        retries: -1,
        maxRecordAgeMs: -1,
        pollers: { min: 2, max: 20 },
        onFailureTopic: undefined,
        filters: [],
      }),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: at / 1000,
      MaximumBatchingWindowInSeconds: 2,
      MaximumRetryAttempts: -1,
      ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 20 },
      DestinationConfig: Match.absent(),
      FilterCriteria: Match.absent(),
    });
  });

  it('leaves the idempotency and schema variables out when the consumer has neither', () => {
    const { template } = synth(
      { schemaFile: undefined, idempotencyTableName: undefined },
      consumer({ idempotency: undefined }),
    );
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0]!;
    const variables = fn.Properties.Environment.Variables as Record<string, string>;
    expect(Object.keys(variables).filter((k) => k.includes('IDEMPOTENCY') || k.includes('SCHEMA'))).toEqual(
      [],
    );
  });

  it.each<[string, Partial<KafkaConsumerProps>, Partial<ConsumerSpec>, RegExp]>([
    ['a Node.js 20 runtime', { runtime: lambda.Runtime.NODEJS_20_X }, {}, /runtime must be Node.js 22 or 24/],
    [
      'a missing handler',
      {},
      { handlerFile: 'functions/payments/nope.ts' },
      /consumer.handlerFile .* does not exist/,
    ],
    [
      'a missing schema',
      { schemaFile: 'schemas/nope.json' },
      {},
      /schemaFile "schemas\/nope.json" does not exist/,
    ],
    [
      'a missing output schema',
      { outputSchemaFile: 'schemas/nope-out.json' },
      {},
      /outputSchemaFile "schemas\/nope-out.json" does not exist/,
    ],
    [
      'a schema file that is not JSON',
      { schemaFile: 'README.md' },
      {},
      /schemaFile "README.md" cannot be precompiled: .*JSON/,
    ],
    [
      'an output schema without an output topic',
      { outputSchemaFile: 'schemas/payments/order-enriched.schema.json' },
      { output: undefined, outputKey: undefined },
      /outputSchemaFile is set but the consumer has no output topic/,
    ],
    ['a sub-second window', {}, { batchWindowMs: 250 }, /consumer.batchWindowMs must be whole seconds/],
    ['a batch size of 0', {}, { batchSize: 0 }, /consumer.batchSize must be 1–10000, got 0/],
    [
      'AT_TIMESTAMP without time',
      {},
      { startingPosition: 'AT_TIMESTAMP' },
      /startingPositionTimestamp is required/,
    ],
    ['a record age of 10 s', {}, { maxRecordAgeMs: 10_000 }, /consumer.maxRecordAgeMs must be -1 or 60000/],
    ['pollers max < min', {}, { pollers: { min: 5, max: 2 } }, /consumer.pollers must have/],
    [
      'a group of another tenant',
      {},
      { groupId: 'clickstream.x' },
      /consumer.groupId must start with "payments."/,
    ],
  ])('rejects %s', (_, props, spec, message) => {
    expect(() => synth(props, consumer(spec))).toThrow(message);
  });
});
