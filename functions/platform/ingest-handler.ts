/**
 * A tenant's HTTP ingest endpoint on AWS: API Gateway (HTTP API, payload format 2.0) → this platform Lambda →
 * MSK, with the producer SDK under lib/ingest/ingest-service.ts — the code `stratus dev` serves locally. The
 * topics, their contracts and key fields come from the ingest configuration the tenant stack bundles
 * (lib/ingest/ingest-config.ts). The Kafka producer (MSK IAM, idempotent, acks=all) is created once per
 * container and reused; a request is answered only after its accepted records are acknowledged.
 * Event shape: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { tenantClientId } from '../../lib/core/naming.ts';
import type { IngestConfig } from '../../lib/ingest/ingest-config.ts';
import { readIngestEnvironment } from '../../lib/ingest/ingest-env.ts';
import { createIngestService, type IngestService } from '../../lib/ingest/ingest-service.ts';
import { invocationTraceId } from '../sdk/lineage.ts';
import { createLogger, createRuleMetrics } from '../sdk/observability.ts';
import { createKafkaPublisher, type RecordPublisher } from '../sdk/producer.ts';

export interface IngestHandler {
  (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2>;
  /** Closes the producer (tests; Lambda freezes the container instead). */
  close(): Promise<void>;
}

export function createIngestHandler(env: NodeJS.ProcessEnv = process.env): IngestHandler {
  const settings = readIngestEnvironment(env);
  const file = path.resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), settings.configFile);
  const config = JSON.parse(readFileSync(file, 'utf8')) as IngestConfig;
  const logger = createLogger(config.tenant, 'ingest');
  let publisher: RecordPublisher | undefined;
  let service: IngestService | undefined;
  const ready = (): IngestService => {
    publisher ??= createKafkaPublisher({
      // The tenant's client id: its Kafka produce quota covers the endpoint too.
      clientId: tenantClientId(config.tenant),
      brokers: settings.brokers,
      auth: settings.auth,
      logger,
    });
    service ??= createIngestService({
      config,
      publisher,
      // Under API Gateway's 30-second integration timeout, with room for the answer.
      deadlineMs: settings.deadlineMs ?? 20_000,
      qualityMetrics: createRuleMetrics,
    });
    return service;
  };

  const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
    const topic = event.pathParameters?.topic ?? '';
    const body =
      event.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    const ingest = ready();
    const answer = await ingest.handle({
      tenant: config.tenant,
      topic,
      contentType: event.headers?.['content-type'],
      body,
      traceId: invocationTraceId(context.awsRequestId, env),
    });
    await ingest.flush();
    const outcome = 'results' in answer.body ? answer.body : undefined;
    logger.info('ingest request', {
      topic,
      status: answer.status,
      bytes: body.length,
      accepted: outcome?.accepted,
      rejected: outcome?.rejected,
      failed: outcome?.failed,
      error: 'error' in answer.body ? answer.body.error : undefined,
    });
    return { statusCode: answer.status, headers: answer.headers, body: JSON.stringify(answer.body) };
  };
  return Object.assign(handler, {
    close: async () => {
      await service?.close();
      await publisher?.close();
    },
  });
}

let created: IngestHandler | undefined;

/** The Lambda entry point; the configuration is read on the first invocation (the cold start). */
export const handler = (event: APIGatewayProxyEventV2, context: Context) => {
  created ??= createIngestHandler();
  return created(event, context);
};
