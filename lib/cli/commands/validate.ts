import type { Command } from 'commander';
import { checkTenantSchemas } from '../../contracts/schema-check.ts';
import { gitBase } from '../../contracts/schema-files.ts';
import { checkHandlerBuilds } from '../../manifest/handler-build.ts';
import { formatManifestError, loadStratus, type ManifestError } from '../../manifest/index.ts';
import type { TenantSpec } from '../../manifest/spec.ts';
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
    .action(async (options: { dir?: string; config?: string; tenants?: string[]; json?: boolean }) => {
      const { spec, errors } = loadStratus({
        rootDir: ctx.cwd,
        configFile: options.config,
        tenantsDir: options.dir,
        only: options.tenants,
      });
      // Handlers that do not build would fail the deployment's synth and every local invocation.
      if (errors.length === 0) errors.push(...(await handlerBuilds(spec.platform.rootDir, spec.tenants)));
      // Schema compatibility against the merge base with main, when there is one (a git checkout with a main).
      const base = errors.length === 0 ? gitBase(ctx.cwd) : undefined;
      if (base?.ok) errors.push(...(await schemaChanges(ctx.cwd, spec.tenants, base.revision, base.label)));
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

/** Each consumer's handler built as its bundle is; every problem located in the file where it is. */
async function handlerBuilds(rootDir: string, tenants: readonly TenantSpec[]): Promise<ManifestError[]> {
  const consumers = tenants.flatMap((tenant) => tenant.consumers.map((consumer) => ({ tenant, consumer })));
  // A handler shared by several consumers is built once and reported once.
  const files = [...new Set(consumers.map(({ consumer }) => consumer.handlerFile))];
  const problems = await Promise.all(files.map((file) => checkHandlerBuilds(rootDir, file)));
  return files.flatMap((file, index) => {
    const users = consumers
      .filter(({ consumer }) => consumer.handlerFile === file)
      .map(({ tenant, consumer }) => `consumers.${consumer.key} of ${tenant.file}`);
    return problems[index]!.map((problem) => ({
      file: problem.file,
      line: problem.line,
      col: problem.col,
      path: '',
      message: `the handler of ${users.join(', ')} does not build: ${problem.message}`,
    }));
  });
}

/** Incompatible schema changes as located problems of the schema files. */
async function schemaChanges(
  rootDir: string,
  tenants: Parameters<typeof checkTenantSchemas>[1],
  revision: string,
  label: string,
): Promise<ManifestError[]> {
  const checks = await checkTenantSchemas(rootDir, tenants, { kind: 'git', revision, label });
  return checks.flatMap((check) =>
    check.violations.map((v) => ({
      file: v.file,
      line: v.line,
      col: v.col,
      path: v.dataPath,
      message: `${v.rule} (${check.topic}, ${check.compatibility} against ${label}): ${v.why}`,
    })),
  );
}
