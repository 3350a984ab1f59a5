/**
 * `stratus dev`'s HTTP ingest endpoint: `POST /ingest/<tenant>/<topic>` on the runtime's server, for every
 * running tenant whose manifest declares `ingest:` — the route, validation and answers of the tenant's API on AWS
 * (lib/ingest/ingest-service.ts). Each tenant produces with its own client id (`stratus-<tenant>`), so its Kafka
 * quota applies as on MSK.
 *
 * Who may call it. The server guards every POST (observability/request-guard.ts): a loopback Host, no other
 * origin, and the run's token as `Authorization: Bearer <stateDir>/control-token`. Locally that token stands in
 * for the API key (`auth: apiKey`) or the SigV4 signature (`auth: iam`) of the AWS endpoint: whoever can read the
 * state directory may ingest, a web page in a browser cannot (no CORS is granted). See docs/producers.md.
 */
import type { IncomingMessage } from 'node:http';
import { createKafkaPublisher, type RecordPublisher } from '../../functions/sdk/producer.ts';
import { ingestPath, tenantClientId } from '../core/naming.ts';
import { ingestConfig } from '../ingest/ingest-config.ts';
import { createIngestService, type IngestService, tooLarge } from '../ingest/ingest-service.ts';
import type { TenantSpec } from '../manifest/spec.ts';
import type { ObservabilityServer } from './observability/index.ts';
import { sendJson } from './observability/server.ts';
import type { Availability } from './supervisor.ts';

const ROUTE = /^\/ingest\/([^/]+)\/([^/]+)$/;

export interface LocalIngestOptions {
  server: ObservabilityServer;
  tenants: TenantSpec[];
  brokers: string[];
  /** The supervised services; a request while the broker is down is answered 503 at once. */
  availability: Availability;
  /** @default 10_000 */
  deadlineMs?: number;
}

export interface LocalIngest {
  /** `POST <url>/ingest/<tenant>/<topic>` of every ingest topic, for the start-up lines. */
  routes: string[];
  stop(): Promise<void>;
}

export function startLocalIngest(options: LocalIngestOptions): LocalIngest | undefined {
  const services = new Map<
    string,
    { service: IngestService; publisher: RecordPublisher; maxBodyBytes: number }
  >();
  const routes: string[] = [];
  for (const tenant of options.tenants) {
    const config = ingestConfig(tenant);
    if (!config) continue;
    const publisher = createKafkaPublisher({
      clientId: tenantClientId(tenant.name),
      brokers: options.brokers,
      auth: 'plaintext',
    });
    const service = createIngestService({
      config,
      publisher,
      deadlineMs: options.deadlineMs,
      unavailable: () =>
        options.availability.downServices.includes('Kafka')
          ? 'the broker is down (being restarted)'
          : undefined,
    });
    services.set(tenant.name, { service, publisher, maxBodyBytes: config.maxBodyBytes });
    for (const topic of config.topics)
      routes.push(`POST ${options.server.url}${ingestPath(tenant.name, topic.key)}`);
  }
  if (services.size === 0) return undefined;

  options.server.route('POST', ROUTE, async (request, response, match) => {
    const tenant = decodeURIComponent(match![1]!);
    const topic = decodeURIComponent(match![2]!);
    const entry = services.get(tenant);
    if (!entry) {
      sendJson(response, 404, {
        error: `tenant "${tenant}" has no ingest endpoint in this run; running with ingest: ${[...services.keys()].join(', ')}`,
      });
      return;
    }
    const body = await readBody(request, entry.maxBodyBytes);
    const answer =
      body === 'too-large'
        ? tooLarge(entry.maxBodyBytes)
        : await entry.service.handle({ tenant, topic, contentType: request.headers['content-type'], body });
    response.writeHead(answer.status, answer.headers);
    response.end(`${JSON.stringify(answer.body, null, 2)}\n`);
  });

  return {
    routes,
    async stop() {
      for (const { service, publisher } of services.values()) {
        await service.close();
        await publisher.close();
      }
    },
  };
}

/** The request body, or 'too-large' as soon as it passes `limit` (by Content-Length or by what arrived). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  if (Number(request.headers['content-length'] ?? 0) > limit) {
    request.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      request.resume();
      return 'too-large';
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
