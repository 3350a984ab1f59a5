import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { formatManifestError, ManifestValidationError } from '../manifest/index.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDev } from './commands/dev.ts';
import { registerDlq } from './commands/dlq.ts';
import { registerEvent } from './commands/event.ts';
import { registerInvoke } from './commands/invoke.ts';
import { registerLag } from './commands/lag.ts';
import { registerLineage } from './commands/lineage.ts';
import { registerNew } from './commands/new.ts';
import { registerPortal } from './commands/portal.ts';
import { registerProduce } from './commands/produce.ts';
import { registerReplay } from './commands/replay.ts';
import { registerSchema } from './commands/schema.ts';
import { registerValidate } from './commands/validate.ts';
import { type CliContext, CliError, UsageError, writeLine } from './context.ts';
import { addExamples } from './examples.ts';

/**
 * Runs the `stratus` CLI and returns its exit code: 0 success, 1 a failure or invalid input, 2 a usage
 * error. Bad input never prints a stack trace; set STRATUS_DEBUG=1 to see one for unexpected errors.
 */
export async function main(argv: string[], overrides: Partial<CliContext> = {}): Promise<number> {
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    exitCode: 0,
    ...overrides,
  };
  const program = createProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return reportError(error, ctx);
  }
}

/** Every command, its options and its help (with an example each), without running anything. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('stratus')
    .description('Stratus: self-service streaming pipelines on AWS, and the same pipelines on your laptop.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    });
  registerValidate(program, ctx);
  registerReplay(program, ctx);
  registerDev(program, ctx);
  registerProduce(program, ctx);
  registerDemo(program, ctx);
  registerDlq(program, ctx);
  registerLag(program, ctx);
  registerSchema(program, ctx);
  registerLineage(program, ctx);
  registerCatalog(program, ctx);
  registerNew(program, ctx);
  registerInvoke(program, ctx);
  registerEvent(program, ctx);
  registerPortal(program, ctx);
  addExamples(program);
  return program;
}

function packageVersion(): string {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function reportError(error: unknown, ctx: CliContext): number {
  if (error instanceof CommanderError) {
    // Help and version are not errors; every other commander error is a usage error.
    if (['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)) return 0;
    if (error.code === 'commander.executeSubCommandAsync') return error.exitCode;
    return 2;
  }
  if (error instanceof UsageError) {
    writeLine(ctx.stderr, `error: ${error.message}`);
    return 2;
  }
  if (error instanceof ManifestValidationError) {
    for (const problem of error.errors) writeLine(ctx.stderr, formatManifestError(problem));
    return 1;
  }
  if (error instanceof CliError) {
    writeLine(ctx.stderr, `error: ${error.message}`);
    return error.exitCode;
  }
  writeLine(ctx.stderr, `error: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.STRATUS_DEBUG && error instanceof Error && error.stack) writeLine(ctx.stderr, error.stack);
  return 1;
}
