/**
 * The CLI's prebuilt bundle (lib/cli/prebuilt-cli.mjs) on a small tree of its own: built once, reused while
 * nothing changed, rebuilt as soon as a source changes (so an edit to lib/ is never run stale), each module
 * keeping its own import.meta location, and a source that does not build refused (the CLI then loads through
 * tsx). Every load is a fresh Node.js process, as every `stratus` command is. Also the real CLI both ways.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');
const PREBUILT = pathToFileURL(path.join(REPO, 'lib/cli/prebuilt-cli.mjs')).href;
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-prebuilt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
};

/** Loads the bundle in a fresh process: whether it was built, and what the entry exports. */
function load(): { built: boolean; value: number; where: string; url: string } {
  const script = `
    import { importPrebuilt } from ${JSON.stringify(PREBUILT)};
    const { module, built } = await importPrebuilt({ root: ${JSON.stringify(root)}, entry: 'main.ts',
      outFile: ${JSON.stringify(path.join(root, 'cache/cli.mjs'))} });
    console.log(JSON.stringify({ built, ...module.describe() }));`;
  // From the repository, where esbuild resolves.
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO,
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('the prebuilt CLI bundle', () => {
  write(
    'main.ts',
    `import { value, where, url } from './sub/value.ts';\nexport const describe = () => ({ value, where, url });\n`,
  );
  write(
    'sub/value.ts',
    'export const value: number = 1;\nexport const where = import.meta.dirname;\nexport const url = import.meta.url;\n',
  );

  it('is built once, then reused while its sources are unchanged', () => {
    expect(load()).toEqual({
      built: true,
      value: 1,
      where: path.join(root, 'sub'),
      url: pathToFileURL(path.join(root, 'sub/value.ts')).href,
    });
    expect(load()).toMatchObject({ built: false, value: 1 });
    // The bundle gone (a cache cleaned by hand): built again, not imported from nowhere.
    rmSync(path.join(root, 'cache/cli.mjs'));
    expect(load()).toMatchObject({ built: true, value: 1 });
  });

  it('is rebuilt when a source changes, even to the same size', () => {
    write(
      'sub/value.ts',
      'export const value: number = 2;\nexport const where = import.meta.dirname;\nexport const url = import.meta.url;\n',
    );
    expect(load()).toMatchObject({ built: true, value: 2 });
    // Same bytes, a new modification time (a checkout, a save without changes): rebuilt, to be safe.
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(path.join(root, 'main.ts'), earlier, earlier);
    expect(load()).toMatchObject({ built: true, value: 2 });
    expect(load()).toMatchObject({ built: false, value: 2 });
  });

  it('refuses a source that does not build, and recovers once it is fixed', () => {
    write('sub/value.ts', 'export const value: number = ;\n');
    expect(() => load()).toThrow(/Unexpected|Expected/);
    write(
      'sub/value.ts',
      'export const value = 3;\nexport const where = import.meta.dirname;\nexport const url = "";\n',
    );
    expect(load()).toMatchObject({ built: true, value: 3 });
  });

  it('runs the real CLI the same from the bundle and through tsx', () => {
    const run = (bundle: 'on' | 'off') =>
      execFileSync(process.execPath, [path.join(REPO, 'bin/stratus-cli.mjs'), 'validate'], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, STRATUS_CLI_BUNDLE: bundle },
      });
    const bundled = run('on');
    expect(bundled).toContain('2 tenant manifests valid');
    expect(run('off')).toBe(bundled);
  });
});
