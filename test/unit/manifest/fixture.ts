import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LoadResult, loadStratus } from '../../../lib/manifest/index.ts';

/** A valid tenant manifest; tests replace one piece at a time and assert the one error that causes. */
export const VALID_TENANT = `tenant: shop
owners: [team@example.com]
costCenter: cc-1
topics:
  orders:
    partitions: 3
    retention: 1d
    schema: schemas/order.schema.json
  enriched: { partitions: 3, schema: schemas/order.schema.json }
consumers:
  enrich:
    topic: orders
    handler: functions/enrich.ts
    output: enriched
sinks:
  lake:
    topic: enriched
    format: iceberg
    partitionBy: [day(createdAt)]
`;

export const ORDER_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    amount: { type: 'number' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

export interface ProjectFiles {
  config?: string;
  tenants?: Record<string, string>;
  files?: Record<string, string>;
}

/** Writes a throwaway project (config, manifests, handler and schema files) and loads it. */
export function loadProject(project: ProjectFiles = {}): LoadResult & { rootDir: string } {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-manifest-'));
  const files: Record<string, string> = {
    'functions/enrich.ts': 'export const handler = async () => ({ batchItemFailures: [] });\n',
    'schemas/order.schema.json': JSON.stringify(ORDER_SCHEMA),
    ...(project.config === undefined ? {} : { 'stratus.config.yaml': project.config }),
    ...Object.fromEntries(
      Object.entries(project.tenants ?? { 'shop.yaml': VALID_TENANT }).map(([name, text]) => [
        `tenants/${name}`,
        text,
      ]),
    ),
    ...project.files,
  };
  mkdirSync(path.join(rootDir, 'tenants'), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(rootDir, file)), { recursive: true });
    writeFileSync(path.join(rootDir, file), text);
  }
  return { ...loadStratus({ rootDir }), rootDir };
}

/** Loads VALID_TENANT with `from` replaced by `to` (which must occur exactly once). */
export function loadWith(from: string, to: string, extra: Omit<ProjectFiles, 'tenants'> = {}) {
  if (VALID_TENANT.split(from).length !== 2) throw new Error(`fixture: "${from}" must occur exactly once`);
  return loadProject({ ...extra, tenants: { 'shop.yaml': VALID_TENANT.replace(from, to) } });
}
