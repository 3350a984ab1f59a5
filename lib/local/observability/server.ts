/**
 * The runtime's one HTTP port: /metrics, /healthz and /readyz are routes like any other, and other parts of
 * the runtime add theirs (`route('POST', /^\/control\/consumers\/…$/, …)`, or a whole handler with `use`)
 * — the replay's pause/resume routes live here too. Unknown paths get a JSON 404 listing the routes.
 * Every request that is not a GET or HEAD must pass `refuseMutation` (loopback Host, same origin, the run's
 * token) before any route sees it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newControlToken } from '../control-token.ts';
import { refuseMutation, SAFE_METHODS } from './request-guard.ts';

export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  /** The RegExp match for a pattern route (capture groups), or undefined for an exact path. */
  match: RegExpExecArray | undefined,
) => void | Promise<void>;

/** A catch-all handler; returns true when it answered the request. */
export type FallbackHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => boolean | Promise<boolean>;

export interface ObservabilityServerOptions {
  /** 0 picks a free port. */
  port: number;
  /**
   * Interface to listen on; local runs stay on loopback.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * The token mutating requests must carry (`Authorization: Bearer <token>`).
   * @default a new random token (`controlToken` tells it)
   */
  controlToken?: string;
}

interface Route {
  method: string;
  path: string | RegExp;
  handler: RouteHandler;
}

export class ObservabilityServer {
  readonly #server: Server;
  readonly #routes: Route[] = [];
  readonly #fallbacks: FallbackHandler[] = [];
  readonly #controlToken: string;
  #url = '';
  #port = 0;

  private constructor(controlToken: string) {
    this.#controlToken = controlToken;
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
  }

  static async start(options: ObservabilityServerOptions): Promise<ObservabilityServer> {
    const server = new ObservabilityServer(options.controlToken ?? newControlToken());
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(
                `port ${options.port} is already in use; change local.metricsPort in stratus.config.yaml`,
              )
            : error,
        ),
      );
      server.#server.listen(options.port, host, () => resolve());
    });
    const address = server.#server.address() as AddressInfo;
    server.#url = `http://${host}:${address.port}`;
    server.#port = address.port;
    return server;
  }

  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  get url(): string {
    return this.#url;
  }

  /** The token mutating requests must carry; the runtime writes it to the state directory. */
  get controlToken(): string {
    return this.#controlToken;
  }

  /** Adds a route; a string path matches exactly (query ignored), a RegExp is tested against the path. */
  route(method: string, path: string | RegExp, handler: RouteHandler): this {
    this.#routes.push({ method: method.toUpperCase(), path, handler });
    return this;
  }

  /** Adds a handler asked, in order, about requests no route matched. */
  use(handler: FallbackHandler): this {
    this.#fallbacks.push(handler);
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (!SAFE_METHODS.includes(request.method ?? '')) {
        const refusal = refuseMutation(request, this.#controlToken, this.#port);
        if (refusal) {
          if (refusal.status === 401) response.setHeader('www-authenticate', 'Bearer realm="stratus"');
          return sendJson(response, refusal.status, { error: refusal.error });
        }
      }
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      let pathMatched = false;
      for (const route of this.#routes) {
        const match =
          typeof route.path === 'string' ? (route.path === path ? undefined : null) : route.path.exec(path);
        if (match === null) continue;
        pathMatched = true;
        if (route.method !== request.method && !(route.method === 'GET' && request.method === 'HEAD'))
          continue;
        await route.handler(request, response, match);
        return;
      }
      for (const fallback of this.#fallbacks) if (await fallback(request, response)) return;
      if (pathMatched) sendJson(response, 405, { error: `${request.method} is not allowed on ${path}` });
      else
        sendJson(response, 404, {
          error: `no route ${path}`,
          routes: this.#routes.map((route) => `${route.method} ${String(route.path)}`),
        });
    } catch (error) {
      if (!response.headersSent)
        sendJson(response, 500, { error: error instanceof Error ? error.message : String(error) });
      else response.end();
    }
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(`${JSON.stringify(body, null, 2)}\n`);
}
