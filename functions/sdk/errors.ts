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
  constructor(violations: string[]) {
    super(`output does not match the output topic's schema: ${violations.join('; ')}`);
    this.name = 'OutputSchemaViolationError';
  }
}
