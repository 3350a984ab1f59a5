/**
 * A throwaway Stratus project for benchmarks that run the CLI as a user would (`stratus dev`, `stratus demo`):
 * the repository's functions, schemas and tenants linked in, its stratus.config.yaml with free local ports and
 * the state directory inside the project, so a run never meets another run's broker, ports or state.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../lib/local/process-utils.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function scratchProject(prefix: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const name of ['functions', 'schemas', 'tenants'])
    symlinkSync(path.join(REPO_ROOT, name), path.join(dir, name));
  const [kafkaPort, awsPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    path.join(dir, 'stratus.config.yaml'),
    `${readFileSync(path.join(REPO_ROOT, 'stratus.config.yaml'), 'utf8').replace(/^local:[\s\S]*$/m, '')}local: { kafkaPort: ${kafkaPort}, awsPort: ${awsPort}, metricsPort: ${metricsPort}, stateDir: .stratus }\n`,
  );
  mkdirSync(path.join(dir, '.stratus'));
  return dir;
}

/** The environment without KAFKA_BROKERS / AWS_ENDPOINT_URL, which would make the CLI use services already running. */
export function ownServicesEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.KAFKA_BROKERS;
  delete env.AWS_ENDPOINT_URL;
  return env;
}
