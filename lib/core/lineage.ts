/**
 * Lineage headers: every record a processor writes says where it came from, so a record in any topic can be
 * traced back to its source offset and the invocation that produced it. Written by the handler SDK; read by
 * the demo's accounting and by anyone tracing a record.
 */
import { DLQ_HEADERS } from './dlq-envelope.ts';

export const LINEAGE_HEADERS = {
  sourceTopic: DLQ_HEADERS.sourceTopic,
  sourcePartition: 'stratus-source-partition',
  sourceOffset: 'stratus-source-offset',
  tenant: DLQ_HEADERS.tenant,
  consumer: DLQ_HEADERS.consumer,
  /** Carried from record to record across processors; starts as the X-Ray trace id (or the request id). */
  traceId: 'stratus-trace-id',
  /** The conventional header name, so producers outside Stratus can set it; propagated unchanged. */
  correlationId: 'correlation-id',
} as const;
