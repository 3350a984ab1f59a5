/**
 * A throwaway project for runs of `stratus dev` as a user runs it: the example payments manifest (its sink
 * buffer shortened so the table keeps up with a short run), the real handlers and schemas through symlinks,
 * free ports and the state directory inside the project. Nothing is shared with the test run's broker.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FETCH_BAD_PORTS } from '../../lib/core/fetch-bad-ports.ts';

/** The handlers' log of a project's runs (drop evidence, structured logs): `<stateDir>/logs/functions.log`. */
export function functionLogOf(project: Pick<DevProject, 'stateDir'>): string {
  return path.join(project.stateDir, 'logs', 'functions.log');
}

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
  const ports = { kafka: await fixedPort(2), aws: await fixedPort(), metrics: await fixedPort() };
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
    // A killed `stratus dev`'s children (Kafka shutting down, a store) may still write for a moment: a file
    // created while the tree is removed fails it with ENOTEMPTY, which rmSync retries (linear backoff, ~5 s).
    remove: () => rmSync(rootDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }),
  };
}

/**
 * A port (and the `span - 1` after it) a `stratus dev` keeps across restarts. Picked below the kernel's
 * ephemeral range (32768+ here): an ephemeral port may be handed to any client socket between a kill and the
 * restart (the broker's controller port, kafkaPort + 1, was, in a run of the suite).
 */
export async function fixedPort(span = 1): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 20_000);
    // 10080 is in this range: fetch refuses it, and the config refuses it for the ports fetch reaches.
    if (Array.from({ length: span }, (_, i) => port + i).some((p) => FETCH_BAD_PORTS.has(p))) continue;
    const free = await Promise.all(Array.from({ length: span }, (_, i) => canBind(port + i)));
    if (free.every(Boolean)) return port;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
