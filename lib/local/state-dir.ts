/**
 * Where the local runtime keeps its state: `local.stateDir` of stratus.config.yaml (`.stratus/` by default).
 * Broker data and the AWS emulator's stores survive between `stratus dev` runs and crashes, as a real cluster,
 * bucket, table and catalog would; a demo gets throwaway directories so its numbers start from zero.
 * `stratus dev --reset` wipes the state on purpose (`resetState`).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { PlatformSpec } from '../manifest/spec.ts';
import { CONTROL_TOKEN_FILE } from './control-token.ts';

export interface StatePaths {
  /** Absolute state directory. */
  root: string;
  /** Kafka's data and log files for `stratus dev`. */
  kafkaDataDir: string;
  /** The AWS emulator's stores: S3 objects, DynamoDB tables, the Glue journal. */
  awsDataDir: string;
  /** Logs of the emulator, function workers and sinks. */
  logDir: string;
  /** The running `stratus dev`'s control token (lib/local/control-token.ts), mode 0600. */
  controlToken: string;
}

export function statePaths(platform: PlatformSpec): StatePaths {
  const root = path.resolve(platform.rootDir, platform.local.stateDir);
  return {
    root,
    kafkaDataDir: path.join(root, 'kafka'),
    awsDataDir: path.join(root, 'aws'),
    logDir: path.join(root, 'logs'),
    controlToken: path.join(root, CONTROL_TOKEN_FILE),
  };
}

/** The file in a scratch directory naming the process that uses it. */
const SCRATCH_OWNER_FILE = 'owner.pid';
/** A scratch directory without an owner file is someone's being made, unless it is older than this. */
const UNOWNED_SCRATCH_GRACE_MS = 60_000;

/**
 * A fresh directory under `<stateDir>/tmp/`; `remove()` deletes it (the demo's throwaway broker). Scratch
 * directories of the same prefix whose process is gone (a demo stopped by Ctrl-C or kill -9, whose `remove()`
 * never ran) are deleted first, so they do not pile up.
 */
export function scratchDir(platform: PlatformSpec, prefix: string): { dir: string; remove(): void } {
  const parent = path.join(statePaths(platform).root, 'tmp');
  mkdirSync(parent, { recursive: true });
  removeAbandonedScratch(parent, `${prefix}-`);
  const dir = mkdtempSync(path.join(parent, `${prefix}-`));
  writeFileSync(path.join(dir, SCRATCH_OWNER_FILE), `${process.pid}\n`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function removeAbandonedScratch(parent: string, prefix: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const dir = path.join(parent, name);
    if (ownerAlive(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

function ownerAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dir, SCRATCH_OWNER_FILE), 'utf8').trim());
  } catch {
    try {
      return Date.now() - statSync(dir).mtimeMs < UNOWNED_SCRATCH_GRACE_MS;
    } catch {
      return true;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One part of the state `resetState` removed. */
export interface WipedPart {
  /** Absolute path. */
  path: string;
  /** What was in it, in a user's words. */
  what: string;
  bytes: number;
}

/**
 * Removes the local state: the broker's data (topics, records, consumer group offsets), the AWS emulator's
 * stores (S3 objects, DynamoDB items, the Glue catalog) and throwaway directories. Logs and the Python
 * virtualenv are not state and are kept. Returns what existed and was removed.
 */
export function resetState(platform: PlatformSpec): { wiped: WipedPart[]; kept: string[] } {
  const paths = statePaths(platform);
  const parts = [
    { path: paths.kafkaDataDir, what: 'Kafka: topics, records, consumer group offsets' },
    { path: paths.awsDataDir, what: 'AWS emulator: S3 objects, DynamoDB items (idempotency), Glue catalog' },
    { path: path.join(paths.root, 'tmp'), what: 'leftovers of demo runs' },
  ];
  const wiped: WipedPart[] = [];
  for (const part of parts) {
    if (!existsSync(part.path)) continue;
    const bytes = sizeOf(part.path);
    rmSync(part.path, { recursive: true, force: true });
    wiped.push({ ...part, bytes });
  }
  return { wiped, kept: [paths.logDir].filter((dir) => existsSync(dir)) };
}

function sizeOf(target: string): number {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(target).reduce((sum, name) => sum + sizeOf(path.join(target, name)), 0);
}
