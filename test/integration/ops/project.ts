/**
 * A throwaway Stratus project for operations tests: one tenant with a unique name (so its topics and groups
 * are unique on the shared broker), a consumer `enrich` on `orders` that dead-letters to the tenant's DLQ,
 * and the topics created on the broker.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { freePort } from '../../../lib/local/process-utils.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import type { StratusSpec, TenantSpec } from '../../../lib/manifest/spec.ts';
import { uniqueName } from '../../support/services.ts';

export interface OpsProject {
  rootDir: string;
  spec: StratusSpec;
  tenant: TenantSpec;
  /** `--brokers` and `--runtime-url` for CLI calls: the shared broker, and a port nothing listens on. */
  cliFlags: string[];
}

export interface OpsProjectOptions {
  /** @default 2 */
  partitions?: number;
  /** More YAML lines for the consumer `enrich` (indented by 4 spaces). */
  consumerExtra?: string[];
  /** More top-level YAML (topics are declared under `topics:` already; use `extraTopics`). */
  extraTopics?: string[];
  extraYaml?: string;
  /** Files beside the manifest, e.g. a handler. */
  files?: Record<string, string>;
}

export async function createOpsProject(
  kafka: Kafka,
  brokers: string[],
  options: OpsProjectOptions = {},
): Promise<OpsProject> {
  const partitions = options.partitions ?? 2;
  const name = uniqueName('ops');
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-ops-'));
  const files: Record<string, string> = {
    'stratus.config.yaml': `local: { metricsPort: ${await freePort()} }\n`,
    [`tenants/${name}.yaml`]: `tenant: ${name}
owners: [ops@example.com]
costCenter: cc-1
topics:
  orders: { partitions: ${partitions}, retention: 1d }
${(options.extraTopics ?? []).map((line) => `  ${line}\n`).join('')}consumers:
  enrich:
    topic: orders
    handler: functions/enrich.ts
    retries: 1
    bisectOnError: false
    onFailure: dlq
${(options.consumerExtra ?? []).map((line) => `    ${line}\n`).join('')}${options.extraYaml ?? ''}`,
    // Handlers are ES modules, as in the project itself.
    'package.json': '{ "type": "module" }\n',
    'functions/enrich.ts': 'export const handler = async () => ({ batchItemFailures: [] });\n',
    ...options.files,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(rootDir, file)), { recursive: true });
    writeFileSync(path.join(rootDir, file), text);
  }
  const spec = loadStratusOrThrow({ rootDir });
  const tenant = spec.tenants[0];
  if (!tenant) throw new Error('fixture: tenant did not load');
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsReadable(
    admin,
    tenant.topics.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions })),
  );
  await admin.disconnect();
  return {
    rootDir,
    spec,
    tenant,
    cliFlags: ['--brokers', brokers.join(','), '--runtime-url', `http://127.0.0.1:${await freePort()}`],
  };
}

/** Records written to a topic so far: the sum of its partitions' high watermarks. */
export async function recordsIn(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}
