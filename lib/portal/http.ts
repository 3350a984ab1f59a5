/**
 * The portal's HTTP plumbing: a route table, the access checks of access.ts in front of every route, JSON in
 * and out, the bundled front end, and errors turned into a status with a sentence (never a stack trace).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManifestValidationError } from '../manifest/index.ts';
import { OpsError } from '../ops/shared/errors.ts';
import { ScaffoldConflictError, ScaffoldInputError } from '../scaffold/operations.ts';
import type { PortalAccess } from './access.ts';
import type { Assets } from './bundle.ts';

/** A request's parsed parts, handed to every route. */
export interface PortalRequest {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** The RegExp's capture groups, decoded. */
  params: string[];
  /** The JSON body of a POST. */
  body: unknown;
}

export type PortalRoute = (request: PortalRequest) => unknown | Promise<unknown>;

/** A problem with what the user asked for: answered with `status` and the message. */
export class PortalInputError extends Error {
  override name = 'PortalInputError';
  constructor(
    message: string,
    readonly status = 400,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 64 * 1024;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export class PortalHttp {
  readonly #server: Server;
  readonly #routes: Array<{ method: string; pattern: RegExp; handler: PortalRoute }> = [];
  readonly #access: PortalAccess;
  readonly #assets: Promise<Assets>;
  #url = '';

  constructor(access: PortalAccess, assets: Promise<Assets>) {
    this.#access = access;
    this.#assets = assets;
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  /** A JSON route: what the handler returns is sent as JSON (it may also answer itself and return undefined). */
  get(pattern: RegExp, handler: PortalRoute): this {
    this.#routes.push({ method: 'GET', pattern, handler });
    return this;
  }

  post(pattern: RegExp, handler: PortalRoute): this {
    this.#routes.push({ method: 'POST', pattern, handler });
    return this;
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(
                `port ${port} is already in use; pick another with --port or local.portalPort in stratus.config.yaml`,
              )
            : error,
        ),
      );
      this.#server.listen(port, host, () => resolve());
    });
    const address = this.#server.address() as AddressInfo;
    this.#access.listeningOn(address.port);
    this.#url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    return this.#url;
  }

  get url(): string {
    return this.#url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    try {
      const url = new URL(request.url ?? '/', 'http://portal');
      const method = request.method ?? 'GET';
      const safe = method === 'GET' || method === 'HEAD';
      const token = url.searchParams.get('token');
      if (safe && token !== null) return this.#login(response, url, token);
      const refusal = safe ? this.#access.refuseRead(request) : this.#access.refuseWrite(request);
      if (refusal) {
        if (refusal.status === 401) response.setHeader('www-authenticate', 'Bearer realm="stratus-portal"');
        return sendJson(response, refusal.status, { error: refusal.error });
      }
      const route = this.#routes.find(
        (candidate) =>
          (candidate.method === method || (candidate.method === 'GET' && method === 'HEAD')) &&
          candidate.pattern.test(url.pathname),
      );
      if (!route) {
        if (safe && !url.pathname.startsWith('/api/')) return this.#asset(request, response, url.pathname);
        return sendJson(response, 404, { error: `no route ${method} ${url.pathname}` });
      }
      const match = route.pattern.exec(url.pathname)!;
      const params = match.slice(1).map((part) => decodeURIComponent(part ?? ''));
      const body = safe ? undefined : await readJson(request);
      const result = await route.handler({ request, response, url, params, body });
      if (!response.headersSent && result !== undefined) sendJson(response, 200, result);
    } catch (error) {
      if (response.headersSent) {
        response.end();
        return;
      }
      const { status, message, details } = describeError(error);
      sendJson(response, status, { error: message, ...(details === undefined ? {} : { details }) });
    }
  }

  /** `?token=…`: a cookie for the session, and the same page again without the token in the address. */
  #login(response: ServerResponse, url: URL, token: string): void {
    if (!this.#access.isToken(token)) {
      sendJson(response, 401, { error: 'that is not this portal’s token (it changes at every start)' });
      return;
    }
    url.searchParams.delete('token');
    response.writeHead(303, {
      'set-cookie': this.#access.sessionCookie(),
      location: `${url.pathname}${url.search}`,
      'cache-control': 'no-store',
    });
    response.end();
  }

  async #asset(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    const assets = await this.#assets;
    // Every page is the one HTML document; the front end routes on the URL's hash.
    const asset = assets.get(pathname) ?? (pathname.includes('.') ? undefined : assets.get('/'));
    if (!asset) return sendJson(response, 404, { error: `no file ${pathname}` });
    if (request.headers['if-none-match'] === asset.etag) {
      response.writeHead(304, { etag: asset.etag });
      response.end();
      return;
    }
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzip : asset.body;
    response.writeHead(200, {
      'content-type': asset.contentType,
      'content-length': body.length,
      etag: asset.etag,
      'cache-control': 'no-cache',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new PortalInputError(`request body over ${MAX_BODY_BYTES} bytes`, 413);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new PortalInputError('the request body is not JSON');
  }
}

function describeError(error: unknown): { status: number; message: string; details?: unknown } {
  if (error instanceof PortalInputError)
    return { status: error.status, message: error.message, details: error.details };
  if (error instanceof ScaffoldInputError) return { status: 400, message: error.message };
  if (error instanceof ScaffoldConflictError) return { status: 409, message: error.message };
  if (error instanceof OpsError) return { status: 400, message: error.message };
  if (error instanceof ManifestValidationError) return { status: 409, message: error.message };
  return { status: 500, message: error instanceof Error ? error.message : String(error) };
}
