import type { Command } from 'commander';
import { formatManifestError, loadStratus } from '../../manifest/index.ts';
import { type CliContext, writeLine } from '../context.ts';
import { tenantList } from '../options.ts';

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Validate the platform config and every tenant manifest; list every problem with file:line.')
    .option('--dir <dir>', 'directory of tenant manifests (default: the config\'s tenantsDir, "tenants")')
    .option(
      '--config <file>',
      'platform config file (default: stratus.config.yaml, or built-in defaults when absent)',
    )
    .option(
      '--tenants <names>',
      'report only these tenants (comma-separated); all are still checked for clashes',
      tenantList,
    )
    .option('--json', 'print problems as a JSON array of {file,line,col,path,message}')
    .action((options: { dir?: string; config?: string; tenants?: string[]; json?: boolean }) => {
      const { spec, errors } = loadStratus({
        rootDir: ctx.cwd,
        configFile: options.config,
        tenantsDir: options.dir,
        only: options.tenants,
      });
      ctx.exitCode = errors.length === 0 ? 0 : 1;
      if (options.json) {
        writeLine(ctx.stdout, JSON.stringify(errors, null, 2));
        return;
      }
      if (errors.length > 0) {
        for (const error of errors) writeLine(ctx.stderr, formatManifestError(error));
        writeLine(
          ctx.stderr,
          `\n${errors.length} problem${errors.length === 1 ? '' : 's'} found; nothing was changed.`,
        );
        return;
      }
      for (const tenant of spec.tenants) {
        writeLine(
          ctx.stdout,
          `✓ ${tenant.file}  tenant ${tenant.name}: ${tenant.topics.length} topics (DLQ included), ${tenant.consumers.length} consumers, ${tenant.sinks.length} sinks`,
        );
      }
      writeLine(
        ctx.stdout,
        `${spec.tenants.length} tenant manifest${spec.tenants.length === 1 ? '' : 's'} valid (${spec.platform.file}).`,
      );
    });
}
