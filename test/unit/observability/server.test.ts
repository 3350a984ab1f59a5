import { afterEach, describe, expect, it } from 'vitest';
import { controlAuthHeaders } from '../../../lib/local/control-token.ts';
import { ObservabilityServer, sendJson } from '../../../lib/local/observability/server.ts';

describe('ObservabilityServer', () => {
  let server: ObservabilityServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves exact and pattern routes, fallbacks, 405 and a 404 that lists the routes', async () => {
    server = await ObservabilityServer.start({ port: 0 });
    server
      .route('GET', '/ping', (_req, res) => sendJson(res, 200, { pong: true }))
      .route('POST', /^\/control\/consumers\/([^/]+)\/(pause|resume)$/, (_req, res, match) =>
        sendJson(res, 200, { group: decodeURIComponent(match![1]!), action: match![2] }),
      )
      .use((req, res) => {
        if (req.url !== '/legacy') return false;
        res.end('legacy');
        return true;
      });
    // Mutating requests carry the run's token (request-guard.test.ts covers the refusals).
    const get = (path: string, method = 'GET') =>
      fetch(`${server!.url}${path}`, { method, headers: controlAuthHeaders(server!.controlToken) });

    expect(await (await get('/ping?x=1')).json()).toEqual({ pong: true });
    expect(await (await get('/control/consumers/shop.enrich/pause', 'POST')).json()).toEqual({
      group: 'shop.enrich',
      action: 'pause',
    });
    expect((await get('/control/consumers/shop.enrich/pause')).status).toBe(405);
    expect(await (await get('/legacy')).text()).toBe('legacy');
    const missing = await get('/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { routes: string[] }).routes).toContain('GET /ping');
  });

  it('answers 500 with the message when a handler throws', async () => {
    server = await ObservabilityServer.start({ port: 0 });
    server.route('GET', '/boom', () => {
      throw new Error('kaput');
    });
    const response = await fetch(`${server.url}/boom`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'kaput' });
  });

  it('says which port is taken', async () => {
    server = await ObservabilityServer.start({ port: 0 });
    const port = Number(new URL(server.url).port);
    await expect(ObservabilityServer.start({ port })).rejects.toThrow(`port ${port} is already in use`);
  });
});
