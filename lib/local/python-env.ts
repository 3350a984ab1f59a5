import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDirLock } from './process-utils.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REQUIREMENTS = path.join(PROJECT_ROOT, 'localstack/requirements.txt');

export interface PythonEnv {
  /** The virtualenv's python. */
  python: string;
  /** Path of a console script installed in the virtualenv (`moto_server`, `cfn-lint`). */
  bin(tool: string): string;
}

export interface PythonEnvOptions {
  /**
   * Where the virtualenv lives.
   * @default '<project>/.stratus/venv'
   */
  venvDir?: string;
  /** Progress lines for the first, slow install. */
  onProgress?: (line: string) => void;
}

/**
 * The project's Python tools (moto_server, cfn-lint, pyiceberg) in a project-local virtualenv, created from
 * localstack/requirements.txt on first use and re-installed only when that file changes. Safe to call from
 * several processes at once.
 */
export async function ensurePythonEnv(options: PythonEnvOptions = {}): Promise<PythonEnv> {
  const venvDir = options.venvDir ?? path.join(PROJECT_ROOT, '.stratus/venv');
  const env: PythonEnv = {
    python: path.join(venvDir, 'bin/python'),
    bin: (tool) => path.join(venvDir, 'bin', tool),
  };
  const wanted = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  const stamp = path.join(venvDir, '.requirements.sha256');
  const current = () => (existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '');
  if (current() === wanted) return env;

  mkdirSync(path.dirname(venvDir), { recursive: true });
  await withDirLock(`${venvDir}.lock`, async () => {
    if (current() === wanted) return;
    const say = options.onProgress ?? (() => {});
    if (!existsSync(env.python)) {
      say(`creating the Python virtualenv ${path.relative(process.cwd(), venvDir)} …`);
      await run(process.env.STRATUS_PYTHON ?? 'python3', ['-m', 'venv', venvDir], say);
    }
    say(
      'installing moto, cfn-lint, parliament, pyiceberg and pyarrow from PyPI (first run only, 1–4 minutes) …',
    );
    await run(
      env.python,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS],
      say,
    );
    writeFileSync(stamp, `${wanted}\n`);
    say('Python tools ready.');
  });
  return env;
}

function run(command: string, args: string[], say: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot run ${command}: ${error.message}. Stratus needs Python 3.11+ with venv (set STRATUS_PYTHON to use another)`,
        ),
      ),
    );
    child.once('exit', (code) => {
      if (code === 0) return resolve();
      say(output.trim());
      reject(
        new Error(
          `${path.basename(command)} ${args.slice(0, 3).join(' ')} failed with exit code ${code}:\n${output.trim().slice(-2000)}`,
        ),
      );
    });
  });
}
