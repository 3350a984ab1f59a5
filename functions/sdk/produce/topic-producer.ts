/**
 * A typed producer for one topic, for services outside Stratus (ECS, EKS, another Lambda) and for the HTTP ingest
 * endpoint. It writes exactly as a processor writes its outputs — one implementation: the topic's JSON Schema and
 * data-quality rules run before anything is sent (outgoing-check.ts), the lineage headers come from lineage.ts,
 * the Kafka producer is the SDK's publisher (idempotent, acks=all, PRODUCER_CONFIG, MSK IAM or plaintext by
 * environment). A value that fails is refused with a RecordRejectedError and never reaches Kafka.
 */
import { randomUUID } from 'node:crypto';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { RuleFailure } from '../../../lib/contracts/quality-rules.ts';
import { MAX_RECORD_BYTES } from '../../../lib/core/kafka-producer.ts';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import type { QualityRule } from '../../../lib/core/quality-rule-set.ts';
import { OutputSchemaViolationError, RecordRejectedError } from '../errors.ts';
import { compileKeySelector } from '../key-path.ts';
import { producerLineageHeaders } from '../lineage.ts';
import { createOutgoingCheck, type OutgoingCheck } from '../outgoing-check.ts';
import type { OutgoingMessage } from '../output.ts';
import type { RecordPublisher } from '../producer.ts';
import { createQualityGate, DataQualityError, type QualityGate } from '../quality.ts';
import { compileValueValidator } from '../schema.ts';
import { SendQueue, type SizedMessage } from './send-queue.ts';

/** What a topic accepts: its JSON Schema and its data-quality rules, as the manifest declares them. */
export interface TopicContract {
  /** The topic's JSON Schema. @default values are not validated */
  schema?: Record<string, unknown>;
  /** The topic's data-quality rules (CEL over `value` and `key`). @default none */
  quality?: readonly QualityRule[];
}

/** One record to send. */
export interface ProducerRecord<T> {
  value: T;
  /**
   * The record key; `null` writes none.
   * @default the producer's `key` option applied to the value, else no key
   */
  key?: string | null;
  /** Extra headers; the lineage headers are added and win on a clash (except trace and correlation ids). */
  headers?: Record<string, string>;
  /**
   * The correlation id (`correlation-id` header), carried by every record derived from this one.
   * @default the `correlation-id` header, else none (readers use the record's coordinates)
   */
  correlationId?: string;
}

/** How a producer derives a record's key from its value: a dotted field path, or a function. */
export type KeyOf<T> = string | ((value: T) => string | number | null | undefined);

export interface TopicProducerOptions<T> {
  tenant: string;
  /** The declared producer's name (`producers.<name>`, or `ingest`): the `stratus-producer` header. */
  producer: string;
  /** Full topic name (`<tenant>.<topic>`). */
  topic: string;
  contract?: TopicContract;
  /** @default records without an explicit key have none */
  key?: KeyOf<T>;
  publisher: RecordPublisher;
  /**
   * Close `publisher` when the producer is closed.
   * @default false
   */
  ownsPublisher?: boolean;
  /**
   * The trace id of a record that carries none (`stratus-trace-id`).
   * @default a new UUID per record
   */
  traceId?: () => string;
  /**
   * Metrics for the quality rules' pass/fail counts (one Powertools Metrics per rule, as functions emit).
   * @default not emitted (EMF lines reach CloudWatch from Lambda, not from any container's stdout)
   */
  qualityMetrics?: (dimensions: Record<string, string>) => Metrics;
  /**
   * How long a send waits for others to join its produce request when none is in flight.
   * @default 0
   */
  lingerMs?: number;
}

/** A record that passed every check, ready to send. */
export interface PreparedRecord extends SizedMessage {
  /** `warn`-level quality rules it failed (it is still sent). */
  warnings?: RuleFailure[];
}

const NO_METRICS = () => ({ addMetric() {}, publishStoredMetrics() {} }) as unknown as Metrics;

export class TopicProducer<T> {
  readonly tenant: string;
  readonly producer: string;
  readonly topic: string;
  readonly #check: OutgoingCheck | undefined;
  readonly #quality: QualityGate | undefined;
  readonly #keyOf: ((value: T) => unknown) | undefined;
  readonly #keyField: string | undefined;
  readonly #traceId: () => string;
  readonly #queue: SendQueue;
  readonly #publisher: RecordPublisher;
  readonly #ownsPublisher: boolean;

  constructor(options: TopicProducerOptions<T>) {
    this.tenant = options.tenant;
    this.producer = options.producer;
    this.topic = options.topic;
    const { schema, quality = [] } = options.contract ?? {};
    this.#quality = createQualityGate({
      stage: 'output',
      rules: quality,
      schema,
      tenant: options.tenant,
      consumer: options.producer,
      metricsFor: options.qualityMetrics ?? NO_METRICS,
    });
    this.#check = createOutgoingCheck(schema ? compileValueValidator(schema) : undefined, this.#quality);
    if (typeof options.key === 'string') {
      const select = compileKeySelector(options.key);
      this.#keyOf = (value) => select(value);
      this.#keyField = options.key;
    } else this.#keyOf = options.key;
    this.#traceId = options.traceId ?? randomUUID;
    this.#publisher = options.publisher;
    this.#ownsPublisher = options.ownsPublisher ?? false;
    this.#queue = new SendQueue({
      topic: this.topic,
      publisher: options.publisher,
      lingerMs: options.lingerMs,
    });
  }

  /**
   * Checks one record and builds its message, without sending it: the key, JSON, the size limit, the topic's
   * schema and `error` quality rules. Throws a RecordRejectedError (with `index`) for a record that fails.
   */
  prepare(record: ProducerRecord<T>, index = 0): PreparedRecord {
    const { key, missing } = this.#keyFor(record);
    let value: string | undefined;
    try {
      value = JSON.stringify(record.value);
    } catch (error) {
      throw new RecordRejectedError(
        'NOT_JSON',
        `value cannot be written as JSON: ${(error as Error).message}`,
        {
          index,
          cause: error,
        },
      );
    }
    if (value === undefined)
      throw new RecordRejectedError('NOT_JSON', `value cannot be written as JSON (${typeof record.value})`, {
        index,
      });
    const headers = this.#headersFor(record);
    let bytes = Buffer.byteLength(value) + (key === null ? 0 : Buffer.byteLength(key));
    for (const name in headers) bytes += Buffer.byteLength(name) + Buffer.byteLength(headers[name]!);
    if (bytes > MAX_RECORD_BYTES)
      throw new RecordRejectedError(
        'TOO_LARGE',
        `record is ${bytes} bytes (key, value and headers); a record may carry at most ${MAX_RECORD_BYTES}`,
        { index },
      );
    let warnings: RuleFailure[] | undefined;
    try {
      warnings = this.#check?.(record.value, key);
    } catch (error) {
      throw rejection(error, index);
    }
    // After the schema, which says more about a value that lacks its key field (a required field, usually).
    if (missing) throw new RecordRejectedError('KEY_MISSING', missing, { index });
    const message: OutgoingMessage = { key, value, headers };
    return warnings ? { message, bytes, warnings } : { message, bytes };
  }

  /** Validates and sends one record; resolves once the broker has acknowledged it (acks=all). */
  send(value: T, options: Omit<ProducerRecord<T>, 'value'> = {}): Promise<void> {
    let prepared: PreparedRecord;
    try {
      prepared = this.prepare({ ...options, value });
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.send([prepared]);
  }

  /**
   * Validates every record, then sends them all in order; resolves once all are acknowledged. If any record
   * fails its checks, nothing is sent: the RecordRejectedError of the first lists every refusal in `rejections`.
   */
  sendBatch(records: ReadonlyArray<ProducerRecord<T>>): Promise<void> {
    const prepared: PreparedRecord[] = [];
    const rejections: RecordRejectedError[] = [];
    records.forEach((record, index) => {
      try {
        prepared.push(this.prepare(record, index));
      } catch (error) {
        if (!(error instanceof RecordRejectedError)) throw error;
        rejections.push(error);
      }
    });
    if (rejections.length > 0) {
      rejections[0]!.rejections.splice(0, 1, ...rejections);
      return Promise.reject(rejections[0]);
    }
    return this.#queue.send(prepared);
  }

  /** Sends records `prepare` accepted (the ingest endpoint's partial batches); resolves once all are acknowledged. */
  publish(prepared: readonly PreparedRecord[]): Promise<void> {
    return this.#queue.send([...prepared]);
  }

  /** Resolves once everything sent so far is acknowledged or failed; emits the quality tallies. */
  async flush(): Promise<void> {
    await this.#queue.flush();
    this.#quality?.flush();
  }

  /** Graceful shutdown: refuses new sends, waits for the queued ones, then disconnects (if it owns the connection). */
  async close(): Promise<void> {
    await this.#queue.close();
    this.#quality?.flush();
    if (this.#ownsPublisher) await this.#publisher.close();
  }

  /** The record's key, or null with the reason when the producer's key could not be derived from the value. */
  #keyFor(record: ProducerRecord<T>): { key: string | null; missing?: string } {
    if (record.key !== undefined) return { key: record.key };
    if (!this.#keyOf) return { key: null };
    const key = this.#keyOf(record.value);
    if (typeof key === 'string') return { key };
    if (typeof key === 'number' && Number.isFinite(key)) return { key: String(key) };
    return {
      key: null,
      missing: this.#keyField
        ? `the key field "${this.#keyField}" is ${key === null || key === undefined ? 'missing' : `not a string or a number (${typeof key})`}`
        : `the key function returned ${key === null ? 'null' : typeof key}, not a string or a number`,
    };
  }

  #headersFor(record: ProducerRecord<T>): Record<string, string> {
    const given = record.headers ?? {};
    const lineage = producerLineageHeaders({
      tenant: this.tenant,
      producer: this.producer,
      traceId: given[LINEAGE_HEADERS.traceId] ?? this.#traceId(),
      correlationId: record.correlationId ?? given[LINEAGE_HEADERS.correlationId],
    });
    return record.headers ? { ...record.headers, ...lineage } : lineage;
  }
}

/** The shared check's errors, as a producer reports them. */
function rejection(error: unknown, index: number): RecordRejectedError {
  if (error instanceof OutputSchemaViolationError) {
    const { violations } = error;
    return new RecordRejectedError(
      'SCHEMA_VIOLATION',
      `value does not match the topic's schema: ${violations.join('; ')}`,
      { violations, index, cause: error },
    );
  }
  if (error instanceof DataQualityError) {
    const violations = error.failures.map((f) => `"${f.rule}" (${f.reason})`);
    return new RecordRejectedError(
      'DATA_QUALITY',
      `value failed data-quality rule${violations.length === 1 ? '' : 's'} ${violations.join(', ')}`,
      { violations, rules: error.rules, index, cause: error },
    );
  }
  throw error;
}
