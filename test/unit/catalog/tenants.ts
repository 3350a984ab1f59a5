/**
 * Tenants of shapes the two examples do not have, for the catalog tests: a chain of processors (one of them a
 * fan-out to two sinks), a consumer that only reads, a JSON sink, a tenant with no consumers at all, and a
 * schema with personal data.
 */
import { loadProject } from '../manifest/fixture.ts';

export const CHAIN_TENANT = `tenant: chain
owners: [chain-team@example.com]
costCenter: cc-9
description: raw events are cleaned, scored and landed twice
topics:
  raw: { schema: schemas/order.schema.json }
  clean: { schema: schemas/order.schema.json }
  scored: { schema: schemas/customer.schema.json }
consumers:
  cleaner: { topic: raw, handler: functions/enrich.ts, output: clean }
  scorer: { topic: clean, handler: functions/enrich.ts, output: scored, onFailure: none }
  auditor: { topic: scored, handler: functions/enrich.ts }
sinks:
  scored-lake: { topic: scored, format: iceberg }
  scored-json: { topic: scored, format: json, prefix: exports/scored/ }
`;

export const QUIET_TENANT = `tenant: quiet
owners: [quiet@example.com]
topics:
  inbox: { partitions: 1 }
`;

export const CUSTOMER_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string', format: 'email', 'x-pii': true, description: 'contact address' },
    address: {
      type: 'object',
      properties: { street: { type: 'string', 'x-pii': true }, country: { type: 'string' } },
    },
    scores: { type: 'array', items: { type: 'number' } },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

/** Loads the chain and quiet tenants (plus any extra manifests) and fails on a manifest error. */
export function loadCatalogProject(extra: Record<string, string> = {}, config?: string) {
  const project = loadProject({
    config,
    tenants: { 'chain.yaml': CHAIN_TENANT, 'quiet.yaml': QUIET_TENANT, ...extra },
    files: { 'schemas/customer.schema.json': JSON.stringify(CUSTOMER_SCHEMA) },
  });
  if (project.errors.length > 0) throw new Error(JSON.stringify(project.errors, null, 2));
  return project;
}
