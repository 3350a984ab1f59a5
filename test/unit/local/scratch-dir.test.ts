/**
 * The demo's throwaway directories (`<stateDir>/tmp/demo-*`) do not pile up: one whose process is gone — a demo
 * stopped by Ctrl-C or kill -9, whose own removal never ran — is deleted by the next `scratchDir`; one whose
 * process lives, or that is being made right now, is not. The owners are real processes, one killed with SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../../lib/local/state-dir.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-scratch-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const spec = loadStratusOrThrow({ rootDir: REPO });
const platform = { ...spec.platform, local: { ...spec.platform.local, stateDir: root } };
const tmp = path.join(root, 'tmp');

/** Another process that makes a scratch directory and keeps running; resolves with it and its directory. */
async function ownerProcess(): Promise<{ child: ChildProcess; dir: string }> {
  const module = path.join(REPO, 'lib/local/state-dir.ts');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { scratchDir } from ${JSON.stringify(module)};
       console.log(scratchDir(JSON.parse(process.env.PLATFORM), 'demo').dir);
       setInterval(() => {}, 60_000);`,
    ],
    {
      cwd: REPO,
      env: { ...process.env, PLATFORM: JSON.stringify(platform) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const dir = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) =>
      reject(new Error(`owner process exited (${code}) before making its directory`)),
    );
  });
  return { child, dir };
}

describe('scratchDir', () => {
  it('deletes the directories of demos whose process is gone, and only those', {
    timeout: 60_000,
  }, async () => {
    const killed = await ownerProcess();
    const living = await ownerProcess();
    killed.child.kill('SIGKILL');
    await new Promise((resolve) => killed.child.once('exit', resolve));

    // Made by hand: one being made this moment (no owner file yet), one left by an older Stratus long ago, and
    // another command's scratch directory.
    const beingMade = path.join(tmp, 'demo-fresh1');
    const leftLongAgo = path.join(tmp, 'demo-old123');
    const otherPrefix = path.join(tmp, 'bench-abc123');
    for (const dir of [beingMade, leftLongAgo, otherPrefix]) mkdirSync(dir);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(leftLongAgo, twoMinutesAgo, twoMinutesAgo);

    const mine = scratchDir(platform, 'demo');
    expect(existsSync(killed.dir)).toBe(false);
    expect(existsSync(leftLongAgo)).toBe(false);
    expect(existsSync(living.dir)).toBe(true);
    expect(existsSync(beingMade)).toBe(true);
    expect(existsSync(otherPrefix)).toBe(true);
    expect(readFileSync(path.join(mine.dir, 'owner.pid'), 'utf8').trim()).toBe(String(process.pid));

    mine.remove();
    expect(existsSync(mine.dir)).toBe(false);
  });
});
