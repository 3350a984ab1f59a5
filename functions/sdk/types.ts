/**
 * The types a team's handler sees. Everything here is decoded: no base64, no header byte arrays.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';

/** One Kafka record as a team's handler receives it: decoded, JSON-parsed and validated against the topic's schema. */
export interface KafkaRecord<T> {
  /** Full topic name, e.g. `payments.orders`. */
  topic: string;
  partition: number;
  offset: number;
  /** Milliseconds since the epoch (the record's CreateTime or LogAppendTime, see `timestampType`). */
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  /** The key as a UTF-8 string; `null` when the record has no key. */
  key: string | null;
  /** The JSON-decoded value; tombstones never reach `handler` (see `onTombstone`). */
  value: T;
  /** Header values as UTF-8 strings; the last value of a repeated name wins. */
  headers: Record<string, string>;
}

/** A tombstone (a record whose value is null), delivered only to `onTombstone`. */
export type TombstoneRecord = KafkaRecord<null>;

/** The logger a handler gets: Powertools' Logger API, every line already carrying the record's coordinates. */
export interface RecordLogger {
  /** `attributes` become top-level keys of the JSON line; an Error is logged under `error` with its stack. */
  debug(message: string, attributes?: Record<string, unknown> | Error): void;
  info(message: string, attributes?: Record<string, unknown> | Error): void;
  warn(message: string, attributes?: Record<string, unknown> | Error): void;
  error(message: string, attributes?: Record<string, unknown> | Error): void;
}

/** What a handler gets besides the record. */
export interface HandlerContext {
  /** Structured JSON logger; lines carry tenant, consumer, topic, partition, offset and correlation id. */
  logger: RecordLogger;
  /** Powertools Metrics (EMF), namespace `Stratus`, dimensions service/tenant/consumer; add your own metrics. */
  metrics: Metrics;
  tenant: string;
  consumer: string;
  /** The record's correlation id: its `correlation-id` header, or `<topic>-<partition>@<offset>`. */
  correlationId: string;
  /** The Lambda context of the invocation (a Lambda-like context locally). */
  lambdaContext: Context;
}

/** Marks a processor's output that sets its own key or headers; see `outputRecord()`. */
export const OUTPUT_RECORD: unique symbol = Symbol.for('stratus.outputRecord');

/** A processor output with an explicit key and/or extra headers. */
export interface OutputRecord<O> {
  readonly [OUTPUT_RECORD]: true;
  value: O;
  /** The output's key; `undefined` keeps the source record's key, `null` writes no key. */
  key?: string | null;
  /** Extra headers; the SDK's lineage headers are added and win on a clash. */
  headers?: Record<string, string>;
}

/** What a processor returns for one record: an output, several, or nothing to drop the record. */
export type ProcessorResult<O> = O | OutputRecord<O> | ReadonlyArray<O | OutputRecord<O>> | null | undefined;

export type ConsumerRecordHandler<T> = (
  record: KafkaRecord<T>,
  context: HandlerContext,
) => Promise<void> | void;

export type ProcessorRecordHandler<T, O> = (
  record: KafkaRecord<T>,
  context: HandlerContext,
) => Promise<ProcessorResult<O>> | ProcessorResult<O>;

export type TombstoneHandler = (record: TombstoneRecord, context: HandlerContext) => Promise<void> | void;
