/**
 * The per-container state of a Stratus function, built once at cold start: settings from the environment, the
 * compiled schema, logger, metrics, idempotency and (lazily) the Kafka producer. Worker threads locally and
 * Lambda containers on AWS each build their own.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { MskBatchResponse, MskEvent } from '../../lib/core/msk-event.ts';
import { tenantClientId } from '../../lib/core/naming.ts';
import { type BatchProcessorOptions, createBatchProcessor } from './batch-processor.ts';
import { installedSdkBindings } from './bindings.ts';
import { loadIdempotency } from './companions.ts';
import type { IdempotencyOptions } from './idempotency.ts';
import { createLogger, createMetrics } from './observability.ts';
import { createKafkaPublisher, type RecordPublisher } from './producer.ts';
import { createQualityGate } from './quality.ts';
import { compileValueValidator, manifestValueValidator, type ValueValidator } from './schema.ts';
import { loadSettings, type SdkSettings } from './settings.ts';
import type { HandlerContext, KafkaRecord, TombstoneHandler } from './types.ts';

/** Options shared by consumers and processors. */
export interface StratusHandlerOptions {
  /**
   * The source topic's JSON Schema, for readers of the code. The manifest's schema file (STRATUS_SCHEMA_FILE)
   * wins; when both are given they must be identical or the function refuses to start.
   * @default the manifest's schema; without one, values are parsed as JSON and not validated
   */
  schema?: Record<string, unknown>;
  /**
   * Called for tombstones (records with a null value), which never reach `handler`.
   * @default tombstones are skipped (and counted in the batch log line)
   */
  onTombstone?: TombstoneHandler;
  /** Idempotency store settings; the key and TTL always come from the manifest. */
  idempotency?: IdempotencyOptions;
  /**
   * Where outputs and dead letters are produced.
   * @default one idempotent kafkajs producer per container, configured from the environment
   */
  publisher?: RecordPublisher;
  /** @default a Powertools Logger with service = tenant and keys tenant, consumer */
  logger?: Logger;
  /** @default a Powertools Metrics, namespace Stratus, dimensions service, tenant, consumer */
  metrics?: Metrics;
  /**
   * The environment to read the function contract from.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
}

export interface StratusRuntime {
  settings: SdkSettings;
  logger: Logger;
  metrics: Metrics;
  processBatch(event: MskEvent, context: Context): Promise<MskBatchResponse>;
  /** Disconnects the producer (tests, local shutdown); Lambda simply freezes the container. */
  close(): Promise<void>;
}

type BatchProcessor = StratusRuntime['processBatch'];

export function createStratusRuntime(
  kind: 'consumer' | 'processor',
  options: StratusHandlerOptions & {
    handler: (record: KafkaRecord<unknown>, context: HandlerContext) => unknown;
    outputSchema?: Record<string, unknown>;
  },
): StratusRuntime {
  const settings = loadSettings({
    kind,
    schema: options.schema,
    outputSchema: options.outputSchema,
    env: options.env,
  });
  const logger = options.logger ?? createLogger(settings.tenant, settings.consumer);
  const metrics = options.metrics ?? createMetrics(settings.tenant, settings.consumer);
  const bindings = installedSdkBindings();
  let publisher = options.publisher ?? bindings?.publisher;
  const getPublisher = (): RecordPublisher => {
    publisher ??= createKafkaPublisher({
      // The tenant's client id: its produce quota covers all its functions' producers together.
      clientId: tenantClientId(settings.tenant),
      brokers: settings.kafkaBrokers,
      auth: settings.kafkaAuth,
      logger,
    });
    return publisher;
  };
  const batchOptions: Omit<BatchProcessorOptions, 'idempotency'> = {
    settings,
    handler: options.handler,
    producesOutput: kind === 'processor',
    onTombstone: options.onTombstone,
    validateValue: validatorOf(settings.schema, settings.schemaPath),
    validateOutput: validatorOf(settings.outputSchema, settings.outputSchemaPath),
    inputQuality: createQualityGate({
      stage: 'input',
      rules: settings.quality.input,
      schema: settings.schema,
      tenant: settings.tenant,
      consumer: settings.consumer,
    }),
    outputQuality:
      kind === 'processor'
        ? createQualityGate({
            stage: 'output',
            rules: settings.quality.output,
            schema: settings.outputSchema,
            tenant: settings.tenant,
            consumer: settings.consumer,
          })
        : undefined,
    publisher: getPublisher,
    logger,
    metrics,
  };
  // Powertools Idempotency and its DynamoDB client take about 100 ms of a cold start to load: a function whose
  // manifest turns idempotency off never loads them, one that turns it on loads them on its first batch.
  const idempotencySettings = settings.idempotency;
  let batchProcessor = idempotencySettings ? undefined : createBatchProcessor(batchOptions);
  let loading: Promise<BatchProcessor> | undefined;
  const withIdempotency = (): Promise<BatchProcessor> => {
    loading ??= loadIdempotency()
      .then(({ createRecordIdempotency }) => {
        batchProcessor = createBatchProcessor({
          ...batchOptions,
          idempotency: createRecordIdempotency(
            { ...idempotencySettings!, keyPrefix: settings.functionName },
            options.idempotency ?? { persistenceStore: bindings?.persistenceStore },
          ),
        });
        return batchProcessor;
      })
      .catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
    return loading;
  };
  const processBatch: BatchProcessor = async (event, context) =>
    (batchProcessor ?? (await withIdempotency()))(event, context);
  logger.debug('stratus function initialised', {
    sourceTopic: settings.sourceTopic,
    outputTopic: settings.outputTopic,
    dlqTopic: settings.dlqTopic,
    schema: settings.schemaSource,
    idempotencyKey: settings.idempotency?.key,
  });
  return {
    settings,
    logger,
    metrics,
    processBatch,
    close: async () => {
      await publisher?.close();
    },
  };
}

/** A manifest's schema (it has a path) may come precompiled; one given in code is compiled and checked. */
function validatorOf(
  schema: Record<string, unknown> | undefined,
  schemaPath: string | undefined,
): ValueValidator | undefined {
  if (!schema) return undefined;
  return schemaPath ? manifestValueValidator(schema, schemaPath) : compileValueValidator(schema);
}
