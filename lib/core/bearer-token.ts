/**
 * `Authorization: Bearer <token>` (RFC 6750) checked in constant time: the local runtime's control token
 * (lib/local/control-token.ts) and the API key of a tenant's HTTP ingest endpoint
 * (functions/platform/ingest-authorizer.ts).
 */
import { timingSafeEqual } from 'node:crypto';

/** Whether an Authorization header carries `token` as a bearer token. */
export function carriesBearerToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
