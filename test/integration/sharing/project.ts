/**
 * A throwaway project with two teams: `payments` (the example, sharing `orders-enriched` with `analytics`)
 * and `analytics`, whose processor reads `payments/orders-enriched` and forwards each order to its own topic.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../lib/local/process-utils.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');

export const ANALYTICS = `tenant: analytics
owners: [analytics@example.com]
costCenter: cc-7
topics:
  big-orders: { partitions: 2 }
consumers:
  watch-orders:
    topic: payments/orders-enriched
    handler: functions/analytics/forward.ts
    output: big-orders
    batchSize: 200
`;

const FORWARD = `import { defineProcessor } from '../sdk/index.ts';

/** Forwards each shared order with the fields analytics keeps. */
export const handler = defineProcessor<{ orderId: string; amount: number }, { orderId: string; amount: number }>({
  handler: (record) => ({ orderId: record.value.orderId, amount: record.value.amount }),
});
`;

export async function sharingProject(
  names: { owner: string; reader: string } = { owner: 'payments', reader: 'analytics' },
): Promise<{ rootDir: string; remove(): void }> {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-sharing-'));
  symlinkSync(path.join(REPO, 'schemas'), path.join(rootDir, 'schemas'));
  mkdirSync(path.join(rootDir, 'functions/analytics'), { recursive: true });
  for (const dir of ['sdk', 'payments'])
    symlinkSync(path.join(REPO, 'functions', dir), path.join(rootDir, 'functions', dir));
  writeFileSync(path.join(rootDir, 'functions/analytics/forward.ts'), FORWARD);
  // ES modules, as in the repository (the handler is loaded like the examples).
  writeFileSync(path.join(rootDir, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(path.join(rootDir, 'tenants'));
  const payments = readFileSync(path.join(REPO, 'tenants/payments.yaml'), 'utf8')
    .replace(
      '    schema: schemas/payments/order-enriched.schema.json\n',
      `    schema: schemas/payments/order-enriched.schema.json\n    shareWith: [${names.reader}]\n`,
    )
    .replace(/^tenant: payments$/m, `tenant: ${names.owner}`);
  if (!payments.includes('shareWith')) throw new Error('fixture: payments.yaml changed shape');
  writeFileSync(path.join(rootDir, `tenants/${names.owner}.yaml`), payments);
  writeFileSync(
    path.join(rootDir, `tenants/${names.reader}.yaml`),
    ANALYTICS.replace('tenant: analytics', `tenant: ${names.reader}`).replace('payments/', `${names.owner}/`),
  );
  writeFileSync(
    path.join(rootDir, 'stratus.config.yaml'),
    `region: eu-west-1\nlocal: { metricsPort: ${await freePort()}, stateDir: .stratus }\n`,
  );
  return { rootDir, remove: () => rmSync(rootDir, { recursive: true, force: true }) };
}
