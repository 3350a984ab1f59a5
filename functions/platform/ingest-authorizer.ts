/**
 * The API-key check of a tenant's HTTP ingest endpoint (`ingest.auth: apiKey`): an API Gateway HTTP API Lambda
 * authorizer (payload 2.0, simple responses) that allows a request whose `Authorization: Bearer <key>` carries the
 * key kept in the tenant's Secrets Manager secret — the same header the local endpoint takes with the run's
 * token. HTTP APIs have no API keys of their own (those belong to REST APIs' usage plans), hence this function.
 * The key is read at most every five minutes, so a rotated key is taken up without a deploy; API Gateway caches
 * each answer per header value for the authorizer's TTL.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { awsClientConfig } from '../../lib/core/aws-client-config.ts';
import { carriesBearerToken } from '../../lib/core/bearer-token.ts';
import { INGEST_ENV } from '../../lib/ingest/ingest-env.ts';

const KEY_MAX_AGE_MS = 5 * 60_000;

export type ApiKeyAuthorizer = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<{ isAuthorized: boolean }>;

export function createApiKeyAuthorizer(env: NodeJS.ProcessEnv = process.env): ApiKeyAuthorizer {
  const secretId = env[INGEST_ENV.apiKeySecret];
  if (!secretId) throw new Error(`${INGEST_ENV.apiKeySecret} is not set`);
  const client = new SecretsManagerClient(awsClientConfig({ region: env.AWS_REGION ?? 'us-east-1' }));
  let key: { value: string; readAt: number } | undefined;
  const currentKey = async (): Promise<string> => {
    if (!key || Date.now() - key.readAt > KEY_MAX_AGE_MS) {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!SecretString) throw new Error(`secret ${secretId} has no string value`);
      key = { value: SecretString.trim(), readAt: Date.now() };
    }
    return key.value;
  };
  return async (event) => ({
    isAuthorized: carriesBearerToken(event.headers?.authorization, await currentKey()),
  });
}

let created: ApiKeyAuthorizer | undefined;

export const handler = (event: APIGatewayRequestAuthorizerEventV2) => {
  created ??= createApiKeyAuthorizer();
  return created(event);
};
