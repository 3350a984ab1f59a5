/**
 * The HTTP ingest endpoint's logic, the same on AWS (functions/platform/ingest-handler.ts behind API Gateway) and
 * locally (`stratus dev`, lib/local/ingest-route.ts): parse the body, check every record with the producer SDK
 * (schema, quality rules, key field, size — the checks a producer and a processor run), send the valid ones, and
 * answer per record, like a partial batch response.
 *
 * Nothing is lost silently: the answer comes only after the broker acknowledged every accepted record (acks=all).
 * When it cannot — the broker is known to be down, a produce request fails, or no acknowledgement arrives before
 * the deadline — the answer is 503 with Retry-After, and each record says whether it was written. Records that
 * were not acknowledged may still have been written (at-least-once), so a client that retries them may duplicate.
 */
import { randomUUID } from 'node:crypto';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { RecordRejectedError, type RejectReason } from '../../functions/sdk/errors.ts';
import { ProducerDeliveryError } from '../../functions/sdk/produce/send-queue.ts';
import { type PreparedRecord, TopicProducer } from '../../functions/sdk/produce/topic-producer.ts';
import type { RecordPublisher } from '../../functions/sdk/producer.ts';
import { LINEAGE_HEADERS } from '../core/lineage.ts';
import { INGEST_PRODUCER_NAME } from '../core/naming.ts';
import { INGEST_MEDIA_TYPES, parseIngestBody } from './body.ts';
import type { IngestConfig } from './ingest-config.ts';

/** One record's outcome. */
export type IngestRecordResult =
  | { index: number; status: 'accepted' }
  | { index: number; status: 'rejected'; reason: RejectReason; message: string; violations?: string[] }
  /** Not acknowledged by the broker: retry it (it may have been written). */
  | { index: number; status: 'failed'; reason: 'UNAVAILABLE'; message: string };

export interface IngestResponseBody {
  topic: string;
  /** The trace id every record of the request carries (`stratus-trace-id`). */
  traceId: string;
  accepted: number;
  rejected: number;
  failed: number;
  results: IngestRecordResult[];
  /** The records not written (rejected or failed), by position in the body: a partial batch response. */
  batchItemFailures: Array<{ itemIdentifier: number }>;
}

export interface IngestResponse {
  status: number;
  headers: Record<string, string>;
  body: IngestResponseBody | { error: string };
}

export interface IngestRequest {
  tenant: string;
  /** The topic key, the route's last segment. */
  topic: string;
  contentType?: string;
  body: Buffer;
  /** @default a new UUID */
  traceId?: string;
}

export interface IngestServiceOptions {
  config: IngestConfig;
  /** The tenant's Kafka producer, shared by its topics. */
  publisher: RecordPublisher;
  /**
   * Why the broker cannot take records now, when that is known without trying (the local runtime's supervisor
   * says the broker is down); such a request is answered 503 at once and nothing is sent.
   * @default nothing is known: every request tries
   */
  unavailable?: () => string | undefined;
  /**
   * How long a request waits for the broker's acknowledgement before answering 503.
   * @default 10_000
   */
  deadlineMs?: number;
  /** @default 5 */
  retryAfterSeconds?: number;
  /** @default quality tallies are not emitted */
  qualityMetrics?: (dimensions: Record<string, string>) => Metrics;
}

export interface IngestService {
  handle(request: IngestRequest): Promise<IngestResponse>;
  /** Waits for what is in flight and emits the quality tallies (the Lambda handler calls it per invocation). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function createIngestService(options: IngestServiceOptions): IngestService {
  const { config, publisher } = options;
  const deadlineMs = options.deadlineMs ?? 10_000;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  const producers = new Map(
    config.topics.map((topic) => [
      topic.key,
      new TopicProducer<unknown>({
        tenant: config.tenant,
        producer: INGEST_PRODUCER_NAME,
        topic: topic.name,
        contract: { schema: topic.schema, quality: topic.quality },
        key: topic.keyField,
        publisher,
        qualityMetrics: options.qualityMetrics,
      }),
    ]),
  );
  const fail = (status: number, error: string, headers: Record<string, string> = {}): IngestResponse => ({
    status,
    headers: { ...JSON_HEADERS, ...headers },
    body: { error },
  });

  return {
    async handle(request) {
      const producer = request.tenant === config.tenant ? producers.get(request.topic) : undefined;
      if (!producer)
        return fail(
          404,
          request.tenant !== config.tenant
            ? `no ingest endpoint for tenant "${request.tenant}" here`
            : `topic "${request.topic}" of tenant "${config.tenant}" takes no ingest; the manifest's ingest.topics: ${[...producers.keys()].join(', ')}`,
        );
      if (request.body.length > config.maxBodyBytes) return tooLarge(config.maxBodyBytes);
      const parsed = parseIngestBody(request.contentType, request.body);
      if (!parsed.ok)
        return fail(
          parsed.status,
          parsed.error,
          parsed.status === 415 ? { 'accept-post': INGEST_MEDIA_TYPES.join(', ') } : {},
        );

      const traceId = request.traceId ?? randomUUID();
      const results: IngestRecordResult[] = [];
      const prepared: Array<{ index: number; record: PreparedRecord }> = [];
      for (const [index, record] of parsed.records.entries()) {
        if ('notJson' in record) {
          results[index] = { index, status: 'rejected', reason: 'NOT_JSON', message: record.notJson };
          continue;
        }
        try {
          const ready = producer.prepare(
            { value: record.value, headers: { [LINEAGE_HEADERS.traceId]: traceId } },
            index,
          );
          prepared.push({ index, record: ready });
        } catch (error) {
          if (!(error instanceof RecordRejectedError)) throw error;
          results[index] = {
            index,
            status: 'rejected',
            reason: error.reason,
            message: error.message,
            ...(error.violations.length > 0 ? { violations: error.violations } : {}),
          };
        }
      }

      let unacknowledged: string | undefined;
      let acknowledged = prepared.length;
      const down = prepared.length > 0 ? options.unavailable?.() : undefined;
      if (down) {
        unacknowledged = `not sent: ${down}`;
        acknowledged = 0;
      } else if (prepared.length > 0) {
        const outcome = await withDeadline(producer.publish(prepared.map((p) => p.record)), deadlineMs);
        if (outcome !== 'acknowledged') {
          acknowledged = outcome instanceof ProducerDeliveryError ? outcome.acknowledged : 0;
          unacknowledged =
            outcome === 'timeout'
              ? `no acknowledgement from the broker within ${deadlineMs / 1000}s; the record may have been written`
              : `the broker did not acknowledge it (${outcome.message}); it may have been written`;
        }
      }
      prepared.forEach(({ index }, position) => {
        results[index] =
          position < acknowledged
            ? { index, status: 'accepted' }
            : { index, status: 'failed', reason: 'UNAVAILABLE', message: unacknowledged! };
      });

      const counts = { accepted: 0, rejected: 0, failed: 0 };
      for (const result of results) counts[result.status]++;
      const body: IngestResponseBody = {
        topic: producer.topic,
        traceId,
        ...counts,
        results,
        batchItemFailures: results
          .filter((r) => r.status !== 'accepted')
          .map((r) => ({ itemIdentifier: r.index })),
      };
      if (counts.failed > 0)
        return { status: 503, headers: { ...JSON_HEADERS, 'retry-after': retryAfter }, body };
      const status = counts.rejected === 0 ? 200 : counts.accepted === 0 ? 422 : 207;
      return { status, headers: JSON_HEADERS, body };
    },
    async flush() {
      await Promise.all([...producers.values()].map((p) => p.flush()));
    },
    async close() {
      await Promise.all([...producers.values()].map((p) => p.close()));
    },
  };
}

/** 413 for a body over the tenant's limit (`ingest.maxBodyBytes`). */
export function tooLarge(maxBodyBytes: number): IngestResponse {
  return {
    status: 413,
    headers: { ...JSON_HEADERS, connection: 'close' },
    body: {
      error: `the body exceeds ${maxBodyBytes} bytes (ingest.maxBodyBytes); split it into several requests`,
    },
  };
}

async function withDeadline(
  sending: Promise<void>,
  deadlineMs: number,
): Promise<'acknowledged' | 'timeout' | Error> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    sending.then(
      () => 'acknowledged' as const,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    ),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deadlineMs);
    }),
  ]);
  clearTimeout(timer);
  // A send that outlives the deadline settles later; nobody waits for it then.
  if (outcome === 'timeout') sending.catch(() => {});
  return outcome;
}
