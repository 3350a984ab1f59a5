/**
 * A throwaway project for the producer SDK and HTTP ingest tests: one tenant of a shape the examples do not
 * have — a keyed `orders` topic with a schema and quality rules (an `error` and a `warn` rule), a schemaless
 * `events` topic, a third topic nobody may write — with two declared producers and an ingest endpoint. The
 * tenant name is unique, so its topics are unique on the run's shared broker.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/local/process-utils.ts';
import { uniqueName } from './services.ts';

export const ORDER_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['orderId', 'amount', 'currency'],
  properties: {
    orderId: { type: 'string', minLength: 1 },
    amount: { type: 'number' },
    currency: { type: 'string', enum: ['EUR', 'USD'] },
    country: { type: 'string' },
    customer: { type: 'object', properties: { id: { type: 'string' } } },
  },
};

export interface Order {
  orderId: string;
  amount: number;
  currency: 'EUR' | 'USD';
  country?: string;
  customer?: { id: string };
}

export interface IngestProject {
  rootDir: string;
  tenant: string;
  metricsPort: number;
  topics: { orders: string; events: string; audit: string };
  remove(): void;
}

export async function ingestProject(options: { ingestAuth?: 'iam' | 'apiKey'; maxBodyBytes?: string } = {}) {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-ingest-'));
  const tenant = uniqueName('shop');
  mkdirSync(path.join(rootDir, 'tenants'));
  mkdirSync(path.join(rootDir, 'schemas'));
  writeFileSync(path.join(rootDir, 'schemas/order.schema.json'), JSON.stringify(ORDER_SCHEMA, null, 2));
  writeFileSync(
    path.join(rootDir, 'tenants', `${tenant}.yaml`),
    `tenant: ${tenant}
owners: [shop@example.com]
topics:
  orders:
    partitions: 3
    schema: schemas/order.schema.json
    quality:
      - { name: positive-amount, expr: value.amount > 0.0, severity: error }
      - { name: has-country, expr: has(value.country), severity: warn }
  events: { partitions: 1 }
  audit: { partitions: 1 }
producers:
  checkout: { topics: [orders], principal: create, trust: ecs-task }
  tracker: { topics: [events], principal: create, trust: lambda }
ingest:
  topics:
    - { topic: orders, key: orderId }
    - events
  auth: ${options.ingestAuth ?? 'apiKey'}
  maxBodyBytes: ${options.maxBodyBytes ?? '64KiB'}
`,
  );
  const metricsPort = await freePort();
  writeFileSync(
    path.join(rootDir, 'stratus.config.yaml'),
    `region: eu-west-1\nlocal: { metricsPort: ${metricsPort}, stateDir: .stratus }\n`,
  );
  return {
    rootDir,
    tenant,
    metricsPort,
    topics: { orders: `${tenant}.orders`, events: `${tenant}.events`, audit: `${tenant}.audit` },
    remove: () => rmSync(rootDir, { recursive: true, force: true }),
  } satisfies IngestProject;
}
