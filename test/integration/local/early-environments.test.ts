/**
 * The consumers' execution environments `stratus dev` starts while its broker starts: one per consumer, made for
 * the address the broker is expected at and taken once by that consumer's runner; a host made for another
 * address is never handed out. Real hosts (worker threads importing the example handlers' bundles) against the
 * shared broker and emulator.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMskEvent } from '../../../lib/core/msk-event.ts';
import { EarlyEnvironments } from '../../../lib/local/early-environments.ts';
import type { FunctionHost } from '../../../lib/local/function-host/index.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { testServices } from '../../support/services.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const taken: FunctionHost[] = [];
afterAll(async () => {
  await Promise.all(taken.map((host) => host.close()));
});

describe('EarlyEnvironments', () => {
  it('hands each consumer its host once, for the brokers it was made for, with its environment already started', {
    timeout: 60_000,
  }, async () => {
    const spec = loadStratusOrThrow({ rootDir: REPO });
    const { brokers, awsEndpoint } = testServices();
    const early = EarlyEnvironments.start({
      platform: spec.platform,
      tenants: spec.tenants,
      brokers,
      awsEndpoint,
      logLevel: 'WARN',
    });
    try {
      expect(early.take('payments.enrich-orders', ['127.0.0.1:1'])).toBeUndefined();
      const host = early.take('payments.enrich-orders', brokers);
      expect(host).toBeDefined();
      taken.push(host!);
      expect(early.take('payments.enrich-orders', brokers)).toBeUndefined();
      expect(host!.environments).toBe(1);

      // The runner's warm-up invocation runs in that environment: no second one is started for it.
      const warmUp = await host!.invoke(buildMskEvent([], 'arn:aws:kafka:local', brokers.join(',')));
      expect(warmUp).toMatchObject({ ok: true, response: { batchItemFailures: [] } });
      expect(host!.environments).toBe(1);
    } finally {
      await early.close();
    }
    // Closed with the ones nobody took: there is nothing left to take.
    expect(early.take('clickstream.sessionize', brokers)).toBeUndefined();
  });
});
