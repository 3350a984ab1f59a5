/** What a hot reload applies for an edit: only what the edit touched (lib/local/hot-reload/plan.ts). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planReload } from '../../../lib/local/hot-reload/plan.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import type { TenantSpec } from '../../../lib/manifest/spec.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const before = loadStratusOrThrow({ rootDir: REPO }).tenants;
const edited = (edit: (tenants: TenantSpec[]) => void) => {
  const after = structuredClone(before);
  edit(after);
  return after;
};
const summary = (plan: ReturnType<typeof planReload>) => ({
  start: plan.start.map((s) => s.consumer.groupId),
  stop: plan.stop,
  restart: plan.restart.map((r) => [r.consumer.groupId, r.changed]),
  replace: plan.replace.map((r) => r.groupId),
  notApplied: plan.notApplied,
});

describe('planReload', () => {
  it('does nothing when only positions in the file moved (a comment added above)', () => {
    const after = edited((t) => {
      for (const c of t[0]!.consumers) c.source = { ...c.source, line: c.source.line + 1 };
    });
    expect(summary(planReload(before, after, [path.join(REPO, 'tenants/payments.yaml')], REPO))).toEqual({
      start: [],
      stop: [],
      restart: [],
      replace: [],
      notApplied: [],
    });
  });

  it('replaces the environments of the consumers whose handler directory changed, and only those', () => {
    const plan = planReload(before, before, [path.join(REPO, 'functions/payments/order.ts')], REPO);
    expect(summary(plan).replace).toEqual(['payments.enrich-orders']);
    expect(plan.replace[0]!.because).toBe('functions/payments/order.ts changed');
  });

  it('replaces the environments of the consumers reading or writing a topic whose schema changed', () => {
    const after = edited((t) => {
      const sessions = t.find((x) => x.name === 'clickstream')!.topics.find((x) => x.key === 'sessions')!;
      sessions.schema = { ...sessions.schema, description: 'changed' };
    });
    expect(summary(planReload(before, after, [], REPO)).replace).toEqual(['clickstream.sessionize']);
  });

  it('restarts a consumer whose settings changed, naming them', () => {
    const after = edited((t) => {
      t[0]!.consumers[0]!.batchSize = 10;
    });
    expect(summary(planReload(before, after, [], REPO)).restart).toEqual([
      [before[0]!.consumers[0]!.groupId, ['batchSize']],
    ]);
  });

  it('starts added consumers, stops removed ones, and reports sink edits it does not apply', () => {
    const after = edited((t) => {
      const payments = t.find((x) => x.name === 'payments')!;
      payments.consumers.push({ ...payments.consumers[0]!, key: 'audit', groupId: 'payments.audit' });
      t.find((x) => x.name === 'clickstream')!.consumers = [];
      payments.sinks[0]!.bufferIntervalMs = 1000;
    });
    expect(summary(planReload(before, after, [], REPO))).toMatchObject({
      start: ['payments.audit'],
      stop: ['clickstream.sessionize'],
      notApplied: ['sink payments.orders-lake'],
    });
  });
});
