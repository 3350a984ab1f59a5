/** Writing the lineage headers (lib/core/lineage.ts) on every output record. */
import { LINEAGE_HEADERS } from '../../lib/core/lineage.ts';
import type { MskRecord } from '../../lib/core/msk-event.ts';

export { LINEAGE_HEADERS };

/** The record's correlation id: its `correlation-id` header, else its coordinates. */
export function correlationIdOf(record: MskRecord, headers: Record<string, string>): string {
  return headers[LINEAGE_HEADERS.correlationId] ?? `${record.topic}-${record.partition}@${record.offset}`;
}

/**
 * The trace id for an invocation: the Root of Lambda's `_X_AMZN_TRACE_ID` (set per invocation on AWS),
 * otherwise the request id (locally). A record that already carries a trace id keeps it.
 */
export function invocationTraceId(awsRequestId: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = /Root=([^;]+)/.exec(env._X_AMZN_TRACE_ID ?? '')?.[1];
  return root ?? awsRequestId;
}

export function lineageHeaders(input: {
  record: MskRecord;
  headers: Record<string, string>;
  tenant: string;
  consumer: string;
  correlationId: string;
  invocationTraceId: string;
}): Record<string, string> {
  // Literal keys (equal to LINEAGE_HEADERS, checked by the unit tests): built for every output record, and
  // V8 creates literal-keyed objects faster than computed-keyed ones.
  return {
    'stratus-source-topic': input.record.topic,
    'stratus-source-partition': String(input.record.partition),
    'stratus-source-offset': String(input.record.offset),
    'stratus-tenant': input.tenant,
    'stratus-consumer': input.consumer,
    'stratus-trace-id': input.headers[LINEAGE_HEADERS.traceId] ?? input.invocationTraceId,
    'correlation-id': input.correlationId,
  };
}

/**
 * The lineage headers of a record a declared producer writes (the producer SDK, the HTTP ingest endpoint): who
 * wrote it, and the trace it starts. A correlation id is written only when the caller has one: readers fall
 * back to the record's coordinates (`correlationIdOf`).
 */
export function producerLineageHeaders(input: {
  tenant: string;
  producer: string;
  traceId: string;
  correlationId?: string;
}): Record<string, string> {
  const headers: Record<string, string> = {
    'stratus-tenant': input.tenant,
    'stratus-producer': input.producer,
    'stratus-trace-id': input.traceId,
  };
  if (input.correlationId) headers['correlation-id'] = input.correlationId;
  return headers;
}
