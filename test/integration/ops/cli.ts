import { PassThrough } from 'node:stream';
import { main } from '../../../lib/cli/main.ts';
import type { OpsProject } from './project.ts';

/** Runs `stratus <args>` in the project against the shared broker; captures output and the exit code. */
export async function runCli(project: OpsProject, args: string[], extra: string[] = project.cliFlags) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const code = await main([...args, ...extra], { stdout, stderr, cwd: project.rootDir });
  return { code, out, err };
}
