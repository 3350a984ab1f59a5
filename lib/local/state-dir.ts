/**
 * Where the local runtime keeps its state: `local.stateDir` of stratus.config.yaml (`.stratus/` by default).
 * Broker data survives between `stratus dev` runs, so committed offsets persist as on a real cluster; a demo
 * gets a throwaway broker directory so its numbers start from zero.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PlatformSpec } from '../manifest/spec.ts';
import { CONTROL_TOKEN_FILE } from './control-token.ts';

export interface StatePaths {
  /** Absolute state directory. */
  root: string;
  /** Kafka's data and log files for `stratus dev`. */
  kafkaDataDir: string;
  /** Logs of the emulator, function workers and sinks. */
  logDir: string;
  /** Local warehouse files (sinks), when a sink writes to disk. */
  warehouseDir: string;
  /** The running `stratus dev`'s control token (lib/local/control-token.ts), mode 0600. */
  controlToken: string;
}

export function statePaths(platform: PlatformSpec): StatePaths {
  const root = path.resolve(platform.rootDir, platform.local.stateDir);
  return {
    root,
    kafkaDataDir: path.join(root, 'kafka'),
    logDir: path.join(root, 'logs'),
    warehouseDir: path.join(root, 'warehouse'),
    controlToken: path.join(root, CONTROL_TOKEN_FILE),
  };
}

/** A fresh directory under `<stateDir>/tmp/`; `remove()` deletes it (the demo's throwaway broker). */
export function scratchDir(platform: PlatformSpec, prefix: string): { dir: string; remove(): void } {
  const parent = path.join(statePaths(platform).root, 'tmp');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
