/**
 * A throwaway Stratus project for benchmarks that run the CLI as a user would (`stratus dev`, `stratus demo`):
 * the repository's functions, schemas and tenants linked in, its stratus.config.yaml with free local ports and
 * the state directory inside the project, so a run never meets another run's broker, ports or state.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../lib/local/process-utils.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function scratchProject(prefix: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const name of ['functions', 'schemas', 'tenants'])
    symlinkSync(path.join(REPO_ROOT, name), path.join(dir, name));
  const kafkaPort = await freeKafkaPort();
  const [awsPort, metricsPort] = await distinctFreePorts(2, [kafkaPort, kafkaPort + 1]);
  writeFileSync(
    path.join(dir, 'stratus.config.yaml'),
    `${readFileSync(path.join(REPO_ROOT, 'stratus.config.yaml'), 'utf8').replace(/^local:[\s\S]*$/m, '')}local: { kafkaPort: ${kafkaPort}, awsPort: ${awsPort}, metricsPort: ${metricsPort}, stateDir: .stratus }\n`,
  );
  mkdirSync(path.join(dir, '.stratus'));
  return dir;
}

/** A free port whose successor is free too: `stratus dev` puts Kafka's controller on local.kafkaPort + 1. */
async function freeKafkaPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (await bindable(port + 1)) return port;
  }
}

/** `count` free ports, none of them in `taken` nor the same twice. */
async function distinctFreePorts(count: number, taken: number[]): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!taken.includes(port) && !ports.includes(port)) ports.push(port);
  }
  return ports;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The environment without KAFKA_BROKERS / AWS_ENDPOINT_URL, which would make the CLI use services already running. */
export function ownServicesEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.KAFKA_BROKERS;
  delete env.AWS_ENDPOINT_URL;
  return env;
}
