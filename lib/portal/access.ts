/**
 * Who may do what on the portal.
 *
 * - Bound to loopback (the default), pages and read routes answer anyone on the machine, as the runtime's
 *   /metrics does. Bound to any other interface, every route needs the portal's token: generated at start and
 *   printed once, in the URL to open (`/?token=…`), which swaps it for an HttpOnly, SameSite=Strict cookie and
 *   drops it from the address bar; programs send `Authorization: Bearer <token>`. Without it: 401.
 * - A request that changes something (POST) must pass the runtime's guard (lib/local/observability/
 *   request-guard.ts: the server's own Host, same origin, no cross-site fetch), carry the token (always, on
 *   loopback too), carry the CSRF token the page gets from /api/session in `X-Stratus-CSRF`, be JSON, and the
 *   portal must have been started with `--allow-writes`; otherwise 401/403/415 with a sentence saying which.
 * - Every request must name the server by one of its own names in `Host` (a DNS-rebound name is refused).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import { carriesControlToken, newControlToken } from '../local/control-token.ts';
import { LOOPBACK_NAMES, type Refusal, refuseCrossSite } from '../local/observability/request-guard.ts';

export const SESSION_COOKIE = 'stratus_portal';
export const CSRF_HEADER = 'x-stratus-csrf';

export interface PortalAccessOptions {
  /** Interface the portal listens on. */
  host: string;
  /** Whether mutating routes may run at all. */
  allowWrites: boolean;
  /** @default a new random token */
  token?: string;
}

export class PortalAccess {
  readonly token: string;
  readonly csrf = randomBytes(24).toString('base64url');
  readonly allowWrites: boolean;
  /** Bound to a loopback address: reads need no token. */
  readonly loopbackOnly: boolean;
  readonly #hosts: string[];
  #port = 0;

  constructor(options: PortalAccessOptions) {
    this.token = options.token ?? newControlToken();
    this.allowWrites = options.allowWrites;
    this.loopbackOnly = isLoopback(options.host);
    this.#hosts = this.loopbackOnly ? [] : hostNames(options.host);
  }

  /** The port the server got (0 asks for a free one, so it is known only after listening). */
  listeningOn(port: number): void {
    this.#port = port;
  }

  /** Whether the request carries the token, as a bearer header or the session cookie. */
  authenticated(request: IncomingMessage): boolean {
    if (carriesControlToken(request.headers.authorization, this.token)) return true;
    const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
    return cookie !== undefined && sameSecret(cookie, this.token);
  }

  /** Whether `candidate` is the token (a `?token=` in the URL). */
  isToken(candidate: string): boolean {
    return sameSecret(candidate, this.token);
  }

  /** `Set-Cookie` for a browser that opened the URL with the token. */
  sessionCookie(): string {
    return `${SESSION_COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** Why a read may not be answered, or undefined. */
  refuseRead(request: IncomingMessage): Refusal | undefined {
    const host = this.#refuseHost(request);
    if (host) return host;
    if (this.loopbackOnly || this.authenticated(request)) return undefined;
    return {
      status: 401,
      error:
        'this portal listens beyond localhost: open the URL with ?token=… that `stratus portal` printed at start, or send Authorization: Bearer <token>',
    };
  }

  /** Why a request that changes something may not run, or undefined. */
  refuseWrite(request: IncomingMessage): Refusal | undefined {
    const crossSite = refuseCrossSite(request, this.#port, this.#hosts);
    if (crossSite) return crossSite;
    if (!this.authenticated(request))
      return {
        status: 401,
        error:
          'changes need the portal’s token: open the URL with ?token=… that `stratus portal` (or `stratus dev`) printed at start',
      };
    const csrf = request.headers[CSRF_HEADER];
    if (typeof csrf !== 'string' || !sameSecret(csrf, this.csrf))
      return {
        status: 403,
        error: `missing or wrong CSRF token: send the one GET /api/session gives in the ${CSRF_HEADER} header`,
      };
    if (!this.allowWrites)
      return {
        status: 403,
        error:
          'the portal is read-only: start it with --allow-writes (`stratus portal --allow-writes` or `stratus dev --allow-writes`) to onboard, redrive or replay from it',
      };
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? ''))
      return { status: 403, error: 'changes are sent as application/json' };
    return undefined;
  }

  #refuseHost(request: IncomingMessage): Refusal | undefined {
    const allowed = [...LOOPBACK_NAMES, ...this.#hosts].map((name) => `${name}:${this.#port}`);
    const host = request.headers.host?.toLowerCase();
    if (host && allowed.includes(host)) return undefined;
    return {
      status: 403,
      error: `Host ${JSON.stringify(request.headers.host ?? '')} is not this server (it answers to ${allowed.join(', ')})`,
    };
  }
}

function isLoopback(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1'].includes(host) || host.startsWith('127.');
}

/** The names a browser may use for a server bound to `host`: that address, or every interface's for 0.0.0.0/::. */
function hostNames(host: string): string[] {
  const bracket = (address: string) => (address.includes(':') ? `[${address}]` : address);
  if (host !== '0.0.0.0' && host !== '::') return [bracket(host).toLowerCase()];
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .flatMap((entry) => (entry ? [bracket(entry.address.replace(/%.*$/, ''))] : []));
  return [...new Set([...addresses, os.hostname().toLowerCase()])];
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sameSecret(given: string, wanted: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(wanted);
  return a.length === b.length && timingSafeEqual(a, b);
}
