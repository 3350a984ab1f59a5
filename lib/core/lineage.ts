/**
 * Lineage headers: every record a processor writes says where it came from, so a record in any topic can be
 * traced back to its source offset and the invocation that produced it, and which of that record's outputs it
 * is. Written by the handler SDK; read by the demo's accounting and by anyone tracing a record. A record a
 * declared producer (the producer SDK, the HTTP ingest endpoint) wrote carries tenant, producer, trace id and
 * correlation id instead of the source coordinates: it is where lineage starts.
 */
import { DLQ_HEADERS } from './dlq-envelope.ts';

export const LINEAGE_HEADERS = {
  sourceTopic: DLQ_HEADERS.sourceTopic,
  sourcePartition: 'stratus-source-partition',
  sourceOffset: 'stratus-source-offset',
  tenant: DLQ_HEADERS.tenant,
  consumer: DLQ_HEADERS.consumer,
  /** The declared producer (`producers.<name>` of the manifest, or `ingest`) that wrote a source record. */
  producer: 'stratus-producer',
  /** Carried from record to record across processors; starts as the X-Ray trace id (or the request id). */
  traceId: 'stratus-trace-id',
  /** The conventional header name, so producers outside Stratus can set it; propagated unchanged. */
  correlationId: 'correlation-id',
  /**
   * The output's position (0-based) among the outputs its source record produced: a fan-out of 3 writes 0, 1
   * and 2, so three outputs of one record are three distinct records, and the same position twice is a repeat.
   */
  outputIndex: 'stratus-output-index',
  /** How many outputs the source record produced, so a reader can tell a complete fan-out from a partial one. */
  outputCount: 'stratus-output-count',
} as const;
