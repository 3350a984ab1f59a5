/**
 * A throwaway copy of the example project for runtime tests: the example manifests with unique tenant names
 * (so topics and groups are unique on the shared broker), the real handlers and schemas through symlinks, and
 * a config whose metrics port is free and whose state lives in the temporary directory.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../lib/local/process-utils.ts';
import { uniqueName } from '../../support/services.ts';

export const REPO = path.resolve(import.meta.dirname, '../../..');

export interface ExampleProject {
  rootDir: string;
  /** Example tenant name → its unique name in this project. */
  tenants: Record<string, string>;
  metricsPort: number;
  remove(): void;
}

export async function exampleProject(
  examples: string[] = ['payments', 'clickstream'],
): Promise<ExampleProject> {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-runtime-'));
  for (const dir of ['functions', 'schemas']) symlinkSync(path.join(REPO, dir), path.join(rootDir, dir));
  mkdirSync(path.join(rootDir, 'tenants'));
  const tenants: Record<string, string> = {};
  for (const example of examples) {
    const name = uniqueName(example.slice(0, 8));
    tenants[example] = name;
    const yaml = readFileSync(path.join(REPO, 'tenants', `${example}.yaml`), 'utf8').replace(
      new RegExp(`^tenant: ${example}$`, 'm'),
      `tenant: ${name}`,
    );
    writeFileSync(path.join(rootDir, 'tenants', `${name}.yaml`), yaml);
  }
  const metricsPort = await freePort();
  writeFileSync(
    path.join(rootDir, 'stratus.config.yaml'),
    `region: eu-west-1\nlocal: { metricsPort: ${metricsPort}, stateDir: .stratus }\n`,
  );
  return { rootDir, tenants, metricsPort, remove: () => rmSync(rootDir, { recursive: true, force: true }) };
}
