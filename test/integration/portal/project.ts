/**
 * A throwaway project for the portal tests, of a shape the examples do not have: `fleet` has a processor that
 * fails on impossible positions until a fix is deployed (the fix is a file the test creates), a slow audit
 * consumer whose lag is visible, and an Iceberg sink; `billing` reads fleet's shared positions. Handlers use the
 * real SDK (functions/sdk is linked); everything else is real files, so the Onboard page can write here.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../lib/local/process-utils.ts';
import { uniqueName } from '../../support/services.ts';

export const REPO = path.resolve(import.meta.dirname, '../../..');

export interface PortalProject {
  rootDir: string;
  fleet: string;
  billing: string;
  metricsPort: number;
  portalPort: number;
  /** Creating this file "deploys the fix": geofence stops failing. */
  fixFile: string;
  remove(): void;
}

const POSITION_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'A vehicle position',
  type: 'object',
  required: ['vehicle', 'speed', 'at'],
  properties: {
    vehicle: { type: 'string' },
    speed: { type: 'number' },
    at: { type: 'string', format: 'date-time' },
  },
};

const GEOFENCE = (fixFile: string) => `import { existsSync } from 'node:fs';
import { defineProcessor } from '../sdk/index.ts';

interface Position { vehicle: string; speed: number; at: string }

/** Alerts on speeding; a negative speed is a bug of this version, fixed once ${path.basename(fixFile)} exists. */
export const handler = defineProcessor<Position, { vehicle: string; speed: number; at: string }>({
  handler: (record) => {
    const { vehicle, speed, at } = record.value;
    if (speed < 0 && !existsSync(${JSON.stringify(fixFile)})) throw new RangeError(\`impossible speed \${speed} for \${vehicle}\`);
    return speed > 90 ? { vehicle, speed, at } : undefined;
  },
});
`;

const AUDIT = `import { defineConsumer } from '../sdk/index.ts';

/** Keeps an audit trail; slow on purpose (40 ms a record), so its lag shows. */
export const handler = defineConsumer<{ vehicle: string }>({
  handler: async () => {
    await new Promise((resolve) => setTimeout(resolve, 40));
  },
});
`;

const INVOICE = `import { defineConsumer } from '../sdk/index.ts';

/** Bills distance per vehicle (the test only needs it to read the shared topic). */
export const handler = defineConsumer<{ vehicle: string }>({ handler: () => {} });
`;

export async function portalProject(): Promise<PortalProject> {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-portal-'));
  const fleet = uniqueName('fleet');
  const billing = uniqueName('billing');
  const fixFile = path.join(rootDir, 'geofence-fix-deployed');
  mkdirSync(path.join(rootDir, 'functions/fleet'), { recursive: true });
  mkdirSync(path.join(rootDir, 'functions/billing'), { recursive: true });
  symlinkSync(path.join(REPO, 'functions/sdk'), path.join(rootDir, 'functions/sdk'));
  writeFileSync(path.join(rootDir, 'functions/fleet/geofence.ts'), GEOFENCE(fixFile));
  writeFileSync(path.join(rootDir, 'functions/fleet/audit.ts'), AUDIT);
  writeFileSync(path.join(rootDir, 'functions/billing/invoice.ts'), INVOICE);
  mkdirSync(path.join(rootDir, 'schemas/fleet'), { recursive: true });
  writeFileSync(
    path.join(rootDir, 'schemas/fleet/position.schema.json'),
    `${JSON.stringify(POSITION_SCHEMA, null, 2)}\n`,
  );
  writeFileSync(
    path.join(rootDir, 'schemas/fleet/alert.schema.json'),
    `${JSON.stringify({ ...POSITION_SCHEMA, title: 'A speeding alert' }, null, 2)}\n`,
  );
  writeFileSync(path.join(rootDir, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(path.join(rootDir, 'tenants'));
  writeFileSync(
    path.join(rootDir, `tenants/${fleet}.yaml`),
    `tenant: ${fleet}
description: Vehicle positions, speeding alerts and the alerts lake.
owners: [fleet-oncall@example.com]
costCenter: cc-2040
topics:
  positions:
    partitions: 3
    retention: 1d
    schema: schemas/fleet/position.schema.json
    shareWith: [${billing}]
    quality:
      - { name: known-vehicle, expr: "value.vehicle != ''", severity: warn }
  alerts: { partitions: 2, retention: 3d, schema: schemas/fleet/alert.schema.json }
consumers:
  geofence:
    topic: positions
    handler: functions/fleet/geofence.ts
    output: alerts
    batchSize: 20
    retries: 0
    onFailure: dlq
  audit:
    topic: positions
    handler: functions/fleet/audit.ts
    batchSize: 10
    batchWindow: 1s
sinks:
  alerts-lake:
    topic: alerts
    format: iceberg
    buffer: { interval: 2s }
alerts:
  lag: { maxSeconds: 600 }
`,
  );
  writeFileSync(
    path.join(rootDir, `tenants/${billing}.yaml`),
    `tenant: ${billing}
description: Distance-based invoices from fleet positions.
owners: [billing@example.com]
costCenter: cc-3100
topics:
  invoices: { partitions: 1 }
consumers:
  invoice:
    topic: ${fleet}/positions
    handler: functions/billing/invoice.ts
`,
  );
  const metricsPort = await freePort();
  const portalPort = await freePort();
  writeFileSync(
    path.join(rootDir, 'stratus.config.yaml'),
    `region: eu-west-1\nlocal: { metricsPort: ${metricsPort}, portalPort: ${portalPort}, stateDir: .stratus }\n`,
  );
  return {
    rootDir,
    fleet,
    billing,
    metricsPort,
    portalPort,
    fixFile,
    remove: () => rmSync(rootDir, { recursive: true, force: true }),
  };
}
