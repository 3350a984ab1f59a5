/**
 * The control routes refuse what a web page can send: real HTTP requests (node:http, so Host, Origin and the
 * fetch-metadata headers can be set the way a browser or a rebound DNS name sets them) against the server
 * with the runtime's pause/resume routes mounted, and a consumer stand-in that records what reached it.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlAuthHeaders } from '../../../lib/local/control-token.ts';
import { ObservabilityServer, sendJson } from '../../../lib/local/observability/server.ts';
import { consumerControlRoutes } from '../../../lib/ops/consumer-control.ts';

interface Answer {
  status: number;
  body: { error?: string; state?: string };
  headers: Record<string, string | string[] | undefined>;
}

/** One raw request to 127.0.0.1:port with exactly these headers (Host included). */
function send(port: number, method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, setHost: false },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(text || '{}'),
            headers: response.headers,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('control routes: token, Host and Origin', () => {
  let server: ObservabilityServer;
  let port: number;
  let token: string;
  const reached: string[] = [];
  const pausePath = '/control/consumers/shop.enrich/pause';

  beforeEach(async () => {
    reached.length = 0;
    server = await ObservabilityServer.start({ port: 0 });
    server.route('GET', '/healthz', (_request, response) => sendJson(response, 200, { status: 'up' }));
    server.use(
      consumerControlRoutes((groupId) =>
        groupId === 'shop.enrich'
          ? { pause: async () => void reached.push('pause'), resume: async () => void reached.push('resume') }
          : undefined,
      ),
    );
    port = Number(new URL(server.url).port);
    token = server.controlToken;
  });
  afterEach(() => server.close());

  const own = () => ({ host: `127.0.0.1:${port}` });

  it('pauses with the token, from the CLI (no Origin) or a same-origin page, under every loopback name', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const answer = await send(port, 'POST', pausePath, { host, ...controlAuthHeaders(token) });
      expect(answer.status, host).toBe(200);
    }
    const sameOrigin = await send(port, 'POST', pausePath, {
      ...own(),
      origin: `http://127.0.0.1:${port}`,
      'sec-fetch-site': 'same-origin',
      ...controlAuthHeaders(token),
    });
    expect(sameOrigin.status).toBe(200);
    expect(reached).toEqual(['pause', 'pause', 'pause', 'pause', 'pause']);
  });

  it('refuses a request without the token, or with another one (401), and nothing is paused', async () => {
    const none = await send(port, 'POST', pausePath, own());
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="stratus"');
    expect(none.body.error).toContain('control-token');
    for (const authorization of [
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
      token,
      'Bearer ',
      `Basic ${token}`,
    ]) {
      expect((await send(port, 'POST', pausePath, { ...own(), authorization })).status, authorization).toBe(
        401,
      );
    }
    expect(reached).toEqual([]);
  });

  it('refuses a no-cors POST from a foreign page (403), token or not', async () => {
    // What `fetch(url, { method: 'POST', mode: 'no-cors', body: 'x' })` on https://evil.example sends.
    const page = {
      ...own(),
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'no-cors',
      'content-type': 'text/plain;charset=UTF-8',
    };
    const noToken = await send(port, 'POST', pausePath, page);
    expect(noToken.status).toBe(403);
    expect(noToken.body.error).toContain('cross-origin');
    expect((await send(port, 'POST', pausePath, { ...page, ...controlAuthHeaders(token) })).status).toBe(403);
    // Another port of localhost is same-site but another origin; an opaque origin is no origin at all.
    for (const [origin, site] of [
      [`http://localhost:${port + 1}`, 'same-site'],
      ['null', 'cross-site'],
      [`https://127.0.0.1:${port}`, 'cross-site'],
    ] as const) {
      const answer = await send(port, 'POST', pausePath, { ...own(), origin, ...controlAuthHeaders(token) });
      expect(answer.status, origin).toBe(403);
      const bySite = await send(port, 'POST', pausePath, {
        ...own(),
        'sec-fetch-site': site,
        ...controlAuthHeaders(token),
      });
      expect(bySite.status, site).toBe(403);
    }
    expect(reached).toEqual([]);
  });

  it('refuses a DNS-rebinding Host, and a loopback name with another port (403)', async () => {
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      '',
    ]) {
      const answer = await send(port, 'POST', pausePath, { host, ...controlAuthHeaders(token) });
      expect(answer.status, host).toBe(403);
      expect(answer.body.error).toContain('is not this server');
    }
    expect(reached).toEqual([]);
  });

  it('guards every method but GET and HEAD, on every path; reads stay open to scrapers', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      expect((await send(port, method, pausePath, own())).status, method).toBe(401);
    }
    expect((await send(port, 'POST', '/no/such/route', own())).status).toBe(401);
    expect((await send(port, 'GET', '/healthz', { host: `scraper.internal:${port}` })).status).toBe(200);
    expect(reached).toEqual([]);
  });

  it('sends no CORS headers, so a browser never lets a page read an answer or set the token header', async () => {
    const preflight = await send(port, 'OPTIONS', pausePath, {
      ...own(),
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    });
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});
