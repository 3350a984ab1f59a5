/**
 * Debian's `chromium` package for the portal's browser tests, installed by the test run's global setup when it
 * is missing and the run may (root with apt-get, as CI is on a fresh machine); otherwise the reason to skip.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

function run(command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

/** Chromium from Debian's packages: there already, installed now (root + apt-get), or why not. */
export async function ensureChromium(
  say: (line: string) => void,
): Promise<{ path: string } | { skip: string }> {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM };
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get'))
    return { skip: `no ${CHROMIUM} and no apt-get to install Debian's chromium package` };
  if (process.getuid?.() !== 0)
    return {
      skip: `no ${CHROMIUM}; install it with \`sudo apt-get install -y chromium\` (the tests install it only as root)`,
    };
  say("installing Debian's chromium package for the portal's browser tests (once)");
  const install = () =>
    run('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', 'chromium']);
  let result = await install();
  if (!result.ok) {
    await run('apt-get', ['update']);
    result = await install();
  }
  if (!result.ok || !existsSync(CHROMIUM))
    return {
      skip: `apt-get install chromium failed: ${result.output.trim().split('\n').slice(-3).join(' ')}`,
    };
  return { path: CHROMIUM };
}
