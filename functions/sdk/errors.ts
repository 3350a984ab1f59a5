/**
 * Errors the SDK raises. An `InvalidRecordError` can never succeed on a retry (the bytes will not change), so
 * the record goes straight to the DLQ; any other error from a handler is retried by the event-source mapping.
 */
import type { DlqReason } from '../../lib/core/dlq-envelope.ts';

/** A record that no retry can fix: it is dead-lettered with `reason` instead of being reported as failed. */
export class InvalidRecordError extends Error {
  readonly reason: DlqReason;
  constructor(reason: DlqReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidRecordError';
    this.reason = reason;
  }
}

/** The value is not UTF-8 JSON. */
export class RecordDecodeError extends InvalidRecordError {
  constructor(message: string, options?: ErrorOptions) {
    super('DECODE_ERROR', message, options);
    this.name = 'RecordDecodeError';
  }
}

/** The value is JSON but fails the topic's JSON Schema. */
export class SchemaViolationError extends InvalidRecordError {
  /** Ajv's messages, `<instancePath> <message>`. */
  readonly violations: string[];
  constructor(violations: string[]) {
    super('SCHEMA_VIOLATION', `value does not match the topic's schema: ${violations.join('; ')}`);
    this.name = 'SchemaViolationError';
    this.violations = violations;
  }
}

/** The function's environment or options are wrong; raised at cold start so nothing is consumed. */
export class StratusConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StratusConfigurationError';
  }
}

/** Output production (or a DLQ write) failed; the whole batch fails so nothing is committed. */
export class OutputDeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutputDeliveryError';
  }
}

/** A processor output fails `output.schema`: a bug in the handler, so retried like any handler error. */
export class OutputSchemaViolationError extends Error {
  /** Ajv's messages, `<instancePath> <message>`. */
  readonly violations: string[];
  constructor(violations: string[]) {
    super(`output does not match the output topic's schema: ${violations.join('; ')}`);
    this.name = 'OutputSchemaViolationError';
    this.violations = violations;
  }
}

/** Why a producer refused a record before sending it (the HTTP ingest endpoint answers with the same reasons). */
export type RejectReason =
  /** The value does not match the topic's JSON Schema. */
  | 'SCHEMA_VIOLATION'
  /** The value fails an `error` data-quality rule of the topic. */
  | 'DATA_QUALITY'
  /** The topic's key field is missing from the value (or is not a string or a number). */
  | 'KEY_MISSING'
  /** Key, value and headers exceed the largest record a producer sends (lib/core/kafka-producer.ts). */
  | 'TOO_LARGE'
  /** The value cannot be written as JSON (a BigInt, a cycle), or, over HTTP, the body line is not JSON. */
  | 'NOT_JSON';

/**
 * A record the producer refused before sending anything: nothing of it reached Kafka. For `sendBatch`, the
 * first refused record's error, with every refusal of the batch in `rejections` (none of the batch was sent).
 */
export class RecordRejectedError extends Error {
  readonly reason: RejectReason;
  /** Ajv's messages (`<instancePath> <message>`) or the failed rules with their reasons. */
  readonly violations: string[];
  /** Names of the failed `error` quality rules (DATA_QUALITY). */
  readonly rules?: string[];
  /** Position of the record in the batch given to `sendBatch` (0 for `send`). */
  readonly index: number;
  /** Every refusal of the batch, this one included. */
  readonly rejections: RecordRejectedError[];
  constructor(
    reason: RejectReason,
    message: string,
    details: { violations?: string[]; rules?: string[]; index?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RecordRejectedError';
    this.reason = reason;
    this.violations = details.violations ?? [];
    this.rules = details.rules;
    this.index = details.index ?? 0;
    this.rejections = [this];
  }
}
