/**
 * Who may call a mutating route of the runtime's HTTP server. The server listens on loopback, but a web page in
 * any browser on the machine can still reach it: a no-cors `fetch('http://127.0.0.1:9464/control/…', {method:
 * 'POST'})` needs no preflight, and a DNS-rebinding page reaches it under its own host name. So a request that
 * changes anything must
 *   - name the server by a loopback name and its own port in `Host` (a rebound name is refused),
 *   - not come from another origin: `Origin`, when sent, is the server's own; `Sec-Fetch-Site`, when sent, is
 *     `same-origin` or `none` (a user-initiated request), never `same-site` (another port of localhost) or
 *     `cross-site`,
 *   - carry the run's token (lib/local/control-token.ts), which only a reader of the state directory has.
 * The server sends no CORS headers at all, so a browser never lets a page set the token header cross-origin.
 * Fetch metadata: https://www.w3.org/TR/fetch-metadata/ ; DNS rebinding and Host checks:
 * https://github.com/WICG/private-network-access#dns-rebinding
 */
import type { IncomingMessage } from 'node:http';
import { carriesControlToken } from '../control-token.ts';

/** Names that reach the loopback interface (a browser sends IPv6 hosts in brackets). */
export const LOOPBACK_NAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/** Methods that change nothing; everything else is guarded. */
export const SAFE_METHODS: readonly string[] = ['GET', 'HEAD'];

export interface Refusal {
  status: 401 | 403;
  error: string;
}

/** Why the request may not mutate anything, or undefined when it may. `port` is the server's own. */
export function refuseMutation(request: IncomingMessage, token: string, port: number): Refusal | undefined {
  const crossSite = refuseCrossSite(request, port);
  if (crossSite) return crossSite;
  if (!carriesControlToken(request.headers.authorization, token))
    return {
      status: 401,
      error:
        'control requests need the run’s token: Authorization: Bearer <the content of <stateDir>/control-token>',
    };
  return undefined;
}

/**
 * The Host, Origin and Sec-Fetch-Site checks of `refuseMutation` without the token: why a request that would
 * change something comes from somewhere it may not, or undefined. `hosts` are names besides the loopback ones
 * the server may be called by (the portal bound to another interface); `port` is the server's own.
 */
export function refuseCrossSite(
  request: IncomingMessage,
  port: number,
  hosts: readonly string[] = [],
): Refusal | undefined {
  const allowedHosts = [...LOOPBACK_NAMES, ...hosts].map((name) => `${name}:${port}`);
  const host = request.headers.host?.toLowerCase();
  if (!host || !allowedHosts.includes(host))
    return {
      status: 403,
      error: `Host ${JSON.stringify(request.headers.host ?? '')} is not this server; control requests name it as ${allowedHosts.join(', ')}`,
    };
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedHosts.some((allowed) => origin.toLowerCase() === `http://${allowed}`))
    return {
      status: 403,
      error: `cross-origin control requests are refused (Origin ${JSON.stringify(origin)})`,
    };
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return { status: 403, error: `cross-site control requests are refused (Sec-Fetch-Site: ${site})` };
  return undefined;
}
