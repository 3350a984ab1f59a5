import { describe, expect, it } from 'vitest';
import {
  componentRunning,
  endpointReachable,
  runChecks,
} from '../../../lib/local/observability/readiness.ts';
import { ObservabilityServer } from '../../../lib/local/observability/server.ts';
import { freePort } from '../../../lib/local/process-utils.ts';

describe('readiness checks', () => {
  it('call an endpoint reachable when it answers any status, and say why when it does not', async () => {
    const server = await ObservabilityServer.start({ port: 0 });
    try {
      const up = await endpointReachable('AWS emulator', server.url)();
      expect(up).toEqual({ ok: true, detail: `AWS emulator at ${server.url} answers (HTTP 404)` });
    } finally {
      await server.close();
    }
    // Nothing listens on a port the OS just handed out and took back.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await endpointReachable('AWS emulator', closed, 500)();
    expect(down.ok).toBe(false);
    expect(down.detail.startsWith(`AWS emulator at ${closed} is not reachable: fetch failed (`)).toBe(true);
    expect(down.detail).toContain('ECONNREFUSED');
  });

  it('report every failed check by its detail and count a throwing status as not running', async () => {
    const report = await runChecks(
      new Map([
        ['consumer:shop.a', componentRunning('consumer', 'shop.a', () => ({ running: true }))],
        [
          'consumer:shop.b',
          componentRunning('consumer', 'shop.b', () => ({ running: false, detail: 'paused' })),
        ],
        [
          'sink:shop.lake',
          componentRunning('sink', 'shop.lake', () => {
            throw new Error('gone');
          }),
        ],
      ]),
    );
    expect(report.ready).toBe(false);
    expect(report.checks['consumer:shop.a']!.ok).toBe(true);
    expect(report.notReady).toEqual([
      'consumer shop.b is not running: paused',
      'sink shop.lake could not report its status: gone',
    ]);
  });
});
