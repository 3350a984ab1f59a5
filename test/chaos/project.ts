/**
 * A throwaway project for runs of `stratus dev` as a user runs it: the example payments manifest (its sink
 * buffer shortened so the table keeps up with a short run), the real handlers and schemas through symlinks,
 * free ports and the state directory inside the project. Nothing is shared with the test run's broker.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, portOpen } from '../../lib/local/process-utils.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');

export interface DevProject {
  rootDir: string;
  configFile: string;
  stateDir: string;
  ports: { kafka: number; aws: number; metrics: number };
  remove(): void;
}

export async function devProject(
  options: { sinkInterval?: string; prefix?: string } = {},
): Promise<DevProject> {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), options.prefix ?? 'stratus-trust-'));
  for (const dir of ['functions', 'schemas']) symlinkSync(path.join(REPO, dir), path.join(rootDir, dir));
  mkdirSync(path.join(rootDir, 'tenants'));
  const manifest = readFileSync(path.join(REPO, 'tenants/payments.yaml'), 'utf8').replace(
    /buffer: \{ size: 64MiB, interval: 60s \}/,
    `buffer: { size: 64MiB, interval: ${options.sinkInterval ?? '5s'} }`,
  );
  writeFileSync(path.join(rootDir, 'tenants/payments.yaml'), manifest);
  // The controller listens on kafkaPort + 1: pick until both are free.
  let kafka = await freePort();
  while (await portOpen(kafka + 1)) kafka = await freePort();
  const ports = { kafka, aws: await freePort(), metrics: await freePort() };
  const stateDir = path.join(rootDir, '.stratus');
  const configFile = path.join(rootDir, 'stratus.config.yaml');
  writeFileSync(
    configFile,
    `region: eu-west-1\nlocal: { kafkaPort: ${ports.kafka}, awsPort: ${ports.aws}, metricsPort: ${ports.metrics}, stateDir: ${stateDir} }\n`,
  );
  return {
    rootDir,
    configFile,
    stateDir,
    ports,
    remove: () => rmSync(rootDir, { recursive: true, force: true }),
  };
}
