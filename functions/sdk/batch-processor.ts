/**
 * The record loop every Stratus function runs: decode, validate, dead-letter what can never succeed, run the
 * team's handler at most once per idempotency key, produce the outputs, report partial batch failures.
 *
 * Ordering and failures. Partitions of a batch are processed concurrently, records of one partition in offset
 * order. When a record's handler throws, that record alone is reported in `batchItemFailures` and the later
 * records of its partition are not run: the event-source mapping takes the lowest reported offset as the
 * checkpoint and re-delivers everything from it (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html),
 * so they come back in order. Reporting only the failing record means that when retries run out, only it goes to
 * the on-failure destination; the healthy records behind it are delivered afterwards.
 *
 * Commit. Outputs and dead letters are produced together after the loop and their acknowledgements awaited
 * before the function returns (at-least-once). If production fails the invocation fails as a whole (the
 * mapping retries the batch) and no record is marked complete in the idempotency store.
 *
 * Drops. A processor's record that produced no output on purpose (the handler returned nothing, its idempotency
 * key was already processed, a tombstone) is listed in the invocation's drop evidence (lib/core/drop-evidence.ts),
 * printed once the outputs are acknowledged and before any record is marked complete, so every committed record
 * has an output, a dead letter or that evidence: an accounting can tell a drop from a loss.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { RuleFailure } from '../../lib/contracts/quality-rules.ts';
import { buildDeadLetter } from '../../lib/core/dlq-envelope.ts';
import type { DroppedRecord, DropReason } from '../../lib/core/drop-evidence.ts';
import {
  type BatchItemFailure,
  decodeHeaders,
  type MskBatchResponse,
  type MskEvent,
  type MskRecord,
  topicPartitionKey,
} from '../../lib/core/msk-event.ts';
import { decodeRecord } from './decode.ts';
import { InvalidRecordError, OutputDeliveryError } from './errors.ts';
import type { ClaimedKeys, IdempotencyKey, RecordIdempotency } from './idempotency.ts';
import { correlationIdOf, invocationTraceId, lineageHeaders } from './lineage.ts';
import { MetricUnit, printDropEvidence, recordLogger, SDK_METRICS } from './observability.ts';
import { createOutgoingCheck } from './outgoing-check.ts';
import { type OutgoingMessage, toMessages } from './output.ts';
import type { RecordPublisher } from './producer.ts';
import { DataQualityError, type QualityGate } from './quality.ts';
import type { ValueValidator } from './schema.ts';
import type { SdkSettings } from './settings.ts';
import type { HandlerContext, KafkaRecord, ProcessorResult, RecordLogger, TombstoneRecord } from './types.ts';

export interface BatchProcessorOptions {
  settings: SdkSettings;
  /** The team's handler; for a consumer its result is ignored. */
  handler: (record: KafkaRecord<unknown>, context: HandlerContext) => Promise<unknown> | unknown;
  /** Whether `handler`'s result is produced to the output topic. */
  producesOutput: boolean;
  onTombstone?: (record: TombstoneRecord, context: HandlerContext) => Promise<void> | void;
  validateValue?: ValueValidator;
  validateOutput?: ValueValidator;
  /** The source topic's quality rules, run before the handler. */
  inputQuality?: QualityGate;
  /** The output topic's quality rules, run on every processor output before it is produced. */
  outputQuality?: QualityGate;
  idempotency?: RecordIdempotency;
  /** Called on first use only: a consumer with no DLQ never connects to Kafka. */
  publisher: () => RecordPublisher;
  logger: Logger;
  metrics: Metrics;
}

/** Per-invocation state. */
interface Batch {
  context: Context;
  traceId: string;
  outputs: OutgoingMessage[];
  deadLetters: OutgoingMessage[];
  failures: BatchItemFailure[];
  completions: Promise<unknown>[];
  /** Idempotency keys started in this invocation: a second record with the same key is a duplicate. */
  keys: Set<string>;
  /** Records decoded before the loop, to claim their keys together (claimKeys). */
  decoded: Map<MskRecord, KafkaRecord<unknown> | TombstoneRecord>;
  /** Records of a processor that produced no output on purpose, for the drop evidence. */
  dropped: DroppedRecord[];
  committed: Promise<void>;
  counts: { failed: number; deadLettered: number; duplicate: number; tombstones: number };
  /** Aggregated per batch: one metric value per invocation, not per record (addMetric costs ~2 µs a call). */
  timing: { handlerMs: number; handled: number; oldestTimestamp: number };
}

/**
 * The context a handler gets. A class with a lazy logger: most handlers never log, and a batch has hundreds of
 * records.
 */
class RecordContext implements HandlerContext {
  readonly #logger: Logger;
  readonly #source: MskRecord;
  #recordLogger: RecordLogger | undefined;
  readonly metrics: Metrics;
  readonly tenant: string;
  readonly consumer: string;
  readonly correlationId: string;
  readonly lambdaContext: Context;
  constructor(
    logger: Logger,
    metrics: Metrics,
    settings: SdkSettings,
    source: MskRecord,
    correlationId: string,
    lambdaContext: Context,
  ) {
    this.#logger = logger;
    this.#source = source;
    this.metrics = metrics;
    this.tenant = settings.tenant;
    this.consumer = settings.consumer;
    this.correlationId = correlationId;
    this.lambdaContext = lambdaContext;
  }
  get logger(): RecordLogger {
    this.#recordLogger ??= recordLogger(this.#logger, {
      topic: this.#source.topic,
      partition: this.#source.partition,
      offset: this.#source.offset,
      correlation_id: this.correlationId,
    });
    return this.#recordLogger;
  }
}

export function createBatchProcessor(
  options: BatchProcessorOptions,
): (event: MskEvent, context: Context) => Promise<MskBatchResponse> {
  const { settings, logger, metrics, idempotency } = options;
  const drop = (batch: Batch, source: MskRecord, reason: DropReason): void => {
    if (options.producesOutput)
      batch.dropped.push({ topic: source.topic, partition: source.partition, offset: source.offset, reason });
  };

  const processRecord = async (batch: Batch, source: MskRecord): Promise<void> => {
    let decoded: KafkaRecord<unknown> | TombstoneRecord;
    try {
      decoded = batch.decoded.get(source) ?? decodeRecord<unknown>(source, options.validateValue);
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      deadLetter(batch, source, error);
      return;
    }
    const correlationId = correlationIdOf(source, decoded.headers);
    const context = new RecordContext(logger, metrics, settings, source, correlationId, batch.context);

    if (decoded.value === null) {
      batch.counts.tombstones++;
      if (options.onTombstone) await options.onTombstone(decoded as TombstoneRecord, context);
      drop(batch, source, 'tombstone');
      return;
    }
    const record = decoded as KafkaRecord<unknown>;
    if (
      options.inputQuality &&
      !passesQuality(batch, source, context, options.inputQuality, record.value, record.key)
    )
      return;

    const work = async (): Promise<OutgoingMessage[]> => {
      const started = performance.now();
      const result = await options.handler(record, context);
      batch.timing.handlerMs += performance.now() - started;
      batch.timing.handled++;
      if (record.timestamp < batch.timing.oldestTimestamp) batch.timing.oldestTimestamp = record.timestamp;
      if (!options.producesOutput) return [];
      const messages = toMessages(
        result as ProcessorResult<unknown>,
        source.key,
        () =>
          lineageHeaders({
            record: source,
            headers: record.headers,
            tenant: settings.tenant,
            consumer: settings.consumer,
            correlationId,
            invocationTraceId: batch.traceId,
          }),
        checkOutput && ((value: unknown) => checkOutput(value, record.key, context)),
      );
      if (messages.length === 0) drop(batch, source, 'returned-nothing');
      return messages;
    };

    try {
      await runOnce(batch, source, record, context, work);
    } catch (error) {
      // An output failed an `error` quality rule: the source record is dead-lettered, its outputs dropped.
      if (!(error instanceof DataQualityError)) throw error;
      deadLetter(batch, source, error);
    }
  };

  /** Runs `work` at most once per idempotency key and keeps its outputs for the commit. */
  const runOnce = async (
    batch: Batch,
    source: MskRecord,
    record: KafkaRecord<unknown>,
    context: RecordContext,
    work: () => Promise<OutgoingMessage[]>,
  ): Promise<void> => {
    const key = idempotency?.keyOf(record);
    if (!idempotency || key === undefined) {
      if (idempotency) context.logger.warn('record has no idempotency key; processed without idempotency');
      batch.outputs.push(...(await work()));
      return;
    }
    if (batch.keys.has(key.id)) {
      batch.counts.duplicate++;
      drop(batch, source, 'duplicate');
      context.logger.debug('duplicate record skipped (same idempotency key earlier in this batch)');
      return;
    }
    batch.keys.add(key.id);
    const run = await idempotency.run(key, work, batch.committed);
    if (run.duplicate) {
      batch.counts.duplicate++;
      drop(batch, source, 'duplicate');
      context.logger.debug('duplicate record skipped (idempotency key already processed)');
      return;
    }
    batch.outputs.push(...run.result);
    batch.completions.push(run.completion);
  };

  /**
   * Decodes every record of the invocation and claims their idempotency keys in one go (a DynamoDB transaction
   * per 100 keys rather than a PutItem per record); handlers still run one by one, in offset order. A record
   * that does not decode is dead-lettered when its turn comes.
   */
  const claimKeys = (batch: Batch, groups: MskRecord[][]): ClaimedKeys | undefined => {
    if (!idempotency) return undefined;
    const keys = new Map<string, IdempotencyKey>();
    for (const records of groups)
      for (const source of records) {
        let decoded: KafkaRecord<unknown> | TombstoneRecord;
        try {
          decoded = decodeRecord<unknown>(source, options.validateValue);
        } catch {
          continue;
        }
        batch.decoded.set(source, decoded);
        const key = decoded.value === null ? undefined : idempotency.keyOf(decoded);
        if (key && !keys.has(key.id)) keys.set(key.id, key);
      }
    return idempotency.claimAll([...keys.values()]);
  };

  /** Claims made for records that did not run (after a failure, dead-lettered, tombstones) are deleted. */
  const releaseUnusedClaims = async (claims: ClaimedKeys | undefined): Promise<void> => {
    try {
      await claims?.releaseUnused();
    } catch (error) {
      logger.warn(
        'could not release idempotency claims of records not run; they expire with the invocation',
        {
          error,
        },
      );
    }
  };

  const outgoing = createOutgoingCheck(options.validateOutput, options.outputQuality);
  const checkOutput = outgoing
    ? (value: unknown, key: string | null, context: RecordContext): void => {
        const warnings = outgoing(value, key);
        if (warnings) logQualityWarnings(context, 'output', warnings);
      }
    : undefined;

  /**
   * Runs a quality gate on one value. `error` failures: on input the record is dead-lettered here (returns
   * false); on output (no batch given) the DataQualityError propagates to processRecord. `warn` failures are
   * logged and the record goes on.
   */
  const passesQuality = (
    batch: Batch | undefined,
    source: MskRecord | undefined,
    context: RecordContext,
    gate: QualityGate,
    value: unknown,
    key: string | null,
  ): boolean => {
    let warnings: ReturnType<QualityGate['check']>;
    try {
      warnings = gate.check(value, key);
    } catch (error) {
      if (!(error instanceof DataQualityError) || !batch || !source) throw error;
      deadLetter(batch, source, error);
      return false;
    }
    if (warnings) logQualityWarnings(context, gate.stage, warnings);
    return true;
  };

  const deadLetter = (batch: Batch, source: MskRecord, error: InvalidRecordError): void => {
    const keys = { topic: source.topic, partition: source.partition, offset: source.offset };
    if (!settings.dlqTopic) {
      // No DLQ configured (onFailure: none): never drop silently; the mapping retries it and then applies
      // the manifest's on-failure setting.
      logger.error('invalid record and no DLQ configured; reported as failed', { ...keys, error });
      throw error;
    }
    const now = new Date();
    const { message } = buildDeadLetter({
      tenant: settings.tenant,
      consumer: settings.consumer,
      reason: error.reason,
      error,
      rules: error instanceof DataQualityError ? error.rules : undefined,
      record: source,
      attempts: 1,
      firstFailureAt: now,
      now,
    });
    batch.deadLetters.push(message);
    batch.counts.deadLettered++;
    logger.warn('invalid record sent to the DLQ', {
      ...keys,
      reason: error.reason,
      dlq: settings.dlqTopic,
      error,
    });
  };

  const processPartition = async (batch: Batch, records: MskRecord[]): Promise<void> => {
    for (let i = 0; i < records.length; i++) {
      const source = records[i]!;
      try {
        await processRecord(batch, source);
      } catch (error) {
        batch.counts.failed++;
        batch.failures.push({
          itemIdentifier: {
            partition: topicPartitionKey(source.topic, source.partition),
            offset: source.offset,
          },
        });
        logger.error('record failed; it is reported, and its partition is re-delivered from it', {
          topic: source.topic,
          partition: source.partition,
          offset: source.offset,
          correlation_id: correlationIdOf(source, decodeHeaders(source.headers)),
          notRun: records.length - i - 1,
          error,
        });
        return;
      }
    }
  };

  const commit = async (batch: Batch): Promise<void> => {
    const batches: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
    if (batch.outputs.length > 0) batches.push({ topic: settings.outputTopic!, messages: batch.outputs });
    if (batch.deadLetters.length > 0)
      batches.push({ topic: settings.dlqTopic!, messages: batch.deadLetters });
    if (batches.length > 0) await options.publisher().publish(batches);
  };

  return async (event, context) => {
    let commitResult!: { resolve: () => void; reject: (error: unknown) => void };
    const committed = new Promise<void>((resolve, reject) => {
      commitResult = { resolve, reject };
    });
    // Nobody may be waiting on it (no idempotency, or only duplicates): don't let a rejection go unhandled.
    committed.catch(() => {});
    const batch: Batch = {
      context,
      traceId: invocationTraceId(context.awsRequestId),
      outputs: [],
      deadLetters: [],
      failures: [],
      completions: [],
      keys: new Set(),
      decoded: new Map(),
      dropped: [],
      committed,
      counts: { failed: 0, deadLettered: 0, duplicate: 0, tombstones: 0 },
      timing: { handlerMs: 0, handled: 0, oldestTimestamp: Number.POSITIVE_INFINITY },
    };
    logger.addContext(context);
    idempotency?.registerLambdaContext(context);
    const groups = Object.values(event.records ?? {});
    const recordsIn = groups.reduce((sum, group) => sum + group.length, 0);
    try {
      const claims = claimKeys(batch, groups);
      try {
        await Promise.all(groups.map((records) => processPartition(batch, records)));
      } finally {
        await releaseUnusedClaims(claims);
      }
      try {
        await commit(batch);
      } catch (error) {
        commitResult.reject(error);
        // Let Powertools delete the IN_PROGRESS records before the retry arrives.
        await Promise.allSettled(batch.completions);
        logger.error('could not produce the batch; failing the invocation so it is retried', error as Error);
        // Every record of the batch comes back: count them all as failed.
        metrics.addMetric(SDK_METRICS.recordsIn, MetricUnit.Count, recordsIn);
        metrics.addMetric(SDK_METRICS.recordsFailed, MetricUnit.Count, recordsIn);
        throw error instanceof OutputDeliveryError
          ? error
          : new OutputDeliveryError(String(error), { cause: error });
      }
      // After the acknowledgements, before anything is marked complete: a record whose key is COMPLETED and
      // which is skipped as a duplicate after a crash has its evidence already.
      printDropEvidence(settings.tenant, settings.consumer, batch.dropped);
      commitResult.resolve();
      const settled = await Promise.allSettled(batch.completions);
      const unmarked = settled.filter((s) => s.status === 'rejected' || s.value instanceof Error).length;
      if (unmarked > 0)
        logger.warn(
          'records produced but not marked complete in the idempotency store; a retry may repeat them',
          {
            records: unmarked,
          },
        );

      metrics.addMetric(SDK_METRICS.recordsIn, MetricUnit.Count, recordsIn);
      metrics.addMetric(SDK_METRICS.recordsOut, MetricUnit.Count, batch.outputs.length);
      metrics.addMetric(SDK_METRICS.recordsFailed, MetricUnit.Count, batch.counts.failed);
      metrics.addMetric(SDK_METRICS.recordsDeadLettered, MetricUnit.Count, batch.counts.deadLettered);
      metrics.addMetric(SDK_METRICS.recordsDuplicate, MetricUnit.Count, batch.counts.duplicate);
      if (batch.timing.handled > 0) {
        const { handlerMs, handled, oldestTimestamp } = batch.timing;
        metrics.addMetric(SDK_METRICS.processingTime, MetricUnit.Milliseconds, handlerMs / handled);
        // Measured after the commit: the oldest record's age once its outputs are durably in Kafka.
        metrics.addMetric(SDK_METRICS.endToEndLatency, MetricUnit.Milliseconds, Date.now() - oldestTimestamp);
      }
      logger.info('batch processed', {
        recordsIn,
        recordsOut: batch.outputs.length,
        failed: batch.counts.failed,
        reported: batch.failures.length,
        deadLettered: batch.counts.deadLettered,
        duplicate: batch.counts.duplicate,
        tombstones: batch.counts.tombstones,
        dropped: batch.dropped.length,
      });
      return { batchItemFailures: batch.failures };
    } finally {
      metrics.publishStoredMetrics();
      options.inputQuality?.flush();
      options.outputQuality?.flush();
    }
  };
}

function logQualityWarnings(
  context: RecordContext,
  stage: QualityGate['stage'],
  warnings: RuleFailure[],
): void {
  context.logger.warn(
    `${stage === 'input' ? 'record' : 'output'} failed warn-level data-quality rules; delivered`,
    {
      rules: warnings.map((w) => ({ rule: w.rule, reason: w.reason })),
    },
  );
}
