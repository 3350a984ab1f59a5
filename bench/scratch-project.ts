/**
 * A throwaway Stratus project for benchmarks that run the CLI as a user would (`stratus dev`, `stratus demo`):
 * the repository's functions, schemas and tenants linked in, its stratus.config.yaml with free local ports and
 * the state directory inside the project, so a run never meets another run's broker, ports or state.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixedPort } from '../test/chaos/project.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function scratchProject(prefix: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const name of ['functions', 'schemas', 'tenants'])
    symlinkSync(path.join(REPO_ROOT, name), path.join(dir, name));
  // Kafka's controller listens on local.kafkaPort + 1: both must be free.
  const kafkaPort = await fixedPort(2);
  const awsPort = await portApart([kafkaPort, kafkaPort + 1]);
  const metricsPort = await portApart([kafkaPort, kafkaPort + 1, awsPort]);
  writeFileSync(
    path.join(dir, 'stratus.config.yaml'),
    `${readFileSync(path.join(REPO_ROOT, 'stratus.config.yaml'), 'utf8').replace(/^local:[\s\S]*$/m, '')}local: { kafkaPort: ${kafkaPort}, awsPort: ${awsPort}, metricsPort: ${metricsPort}, stateDir: .stratus }\n`,
  );
  mkdirSync(path.join(dir, '.stratus'));
  return dir;
}

/** A free port (see `fixedPort`) that is none of `taken`. */
async function portApart(taken: number[]): Promise<number> {
  for (;;) {
    const port = await fixedPort();
    if (!taken.includes(port)) return port;
  }
}

/** The environment without KAFKA_BROKERS / AWS_ENDPOINT_URL, which would make the CLI use services already running. */
export function ownServicesEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.KAFKA_BROKERS;
  delete env.AWS_ENDPOINT_URL;
  return env;
}
