import { GlueClient } from '@aws-sdk/client-glue';
import type { Command } from 'commander';
import { GlueSchemaRegistry } from '../../contracts/registry.ts';
import type { LocatedViolation, TopicCheck } from '../../contracts/schema-check.ts';
import { checkTenantSchemas, type HistorySource } from '../../contracts/schema-check.ts';
import { gitBase } from '../../contracts/schema-files.ts';
import { awsClientConfig } from '../../core/aws-client-config.ts';
import { localSchemaRegistry } from '../../local/schema-registry.ts';
import { formatManifestError, loadStratus } from '../../manifest/index.ts';
import { type CliContext, UsageError, writeLine } from '../context.ts';
import { tenantList } from '../options.ts';

interface CheckOptions {
  against?: string;
  againstRegistry?: boolean;
  aws?: boolean;
  json?: boolean;
  config?: string;
  tenants?: string[];
}

/** `file:line:col  $.amount  RULE  (topic, MODE vs …)  why` */
export function formatViolation(check: TopicCheck, v: LocatedViolation): string {
  const version =
    v.againstVersion > 1 || check.compatibility.endsWith('_TRANSITIVE') ? ` v${v.againstVersion}` : '';
  return `${v.file}:${v.line}:${v.col}  ${v.dataPath}  ${v.rule}  (${check.topic}, ${check.compatibility}${version})  ${v.why}`;
}

export function registerSchema(program: Command, ctx: CliContext): void {
  const schema = program.command('schema').description('Schema contracts: compatibility of topic schemas.');
  schema
    .command('check')
    .description(
      "Compare every topic's schema with its previous version (the file at a git revision, default the merge base with main, or the registry's versions) under the topic's compatibility mode.",
    )
    .option('--against <git-ref>', 'compare with the schema files at this git revision')
    .option(
      '--against-registry',
      'compare with the versions in the schema registry (local, or AWS with --aws)',
    )
    .option('--aws', 'with --against-registry: the AWS Glue Schema Registry of the configured region')
    .option('--config <file>', 'platform config file (default: stratus.config.yaml)')
    .option('--tenants <names>', 'only these tenants (comma-separated)', tenantList)
    .option('--json', 'print the result as JSON')
    .action(async (options: CheckOptions) => {
      if (options.against !== undefined && options.againstRegistry)
        throw new UsageError('give --against <git-ref> or --against-registry, not both');
      if (options.aws && !options.againstRegistry)
        throw new UsageError('--aws only applies with --against-registry');
      const { spec, errors } = loadStratus({
        rootDir: ctx.cwd,
        configFile: options.config,
        only: options.tenants,
      });
      if (errors.length > 0) {
        for (const error of errors) writeLine(ctx.stderr, formatManifestError(error));
        ctx.exitCode = 1;
        return;
      }
      let source: HistorySource;
      if (options.againstRegistry) {
        source = options.aws
          ? {
              kind: 'registry',
              registry: new GlueSchemaRegistry(
                new GlueClient(awsClientConfig({ region: spec.platform.region })),
              ),
              label: `Glue Schema Registry (${spec.platform.region})`,
            }
          : { kind: 'registry', registry: localSchemaRegistry(spec.platform), label: 'local registry' };
      } else {
        const base = gitBase(ctx.cwd, options.against);
        if (!base.ok) {
          if (options.against !== undefined) throw new UsageError(base.reason);
          const note = `no git base to compare with (${base.reason}); nothing checked. Use --against <git-ref> or --against-registry.`;
          if (options.json)
            writeLine(ctx.stdout, JSON.stringify({ against: null, note, topics: [] }, null, 2));
          else writeLine(ctx.stdout, note);
          return;
        }
        source = { kind: 'git', revision: base.revision, label: base.label };
      }
      const checks = await checkTenantSchemas(spec.platform.rootDir, spec.tenants, source);
      const incompatible = checks.filter((c) => c.status === 'incompatible');
      ctx.exitCode = incompatible.length === 0 ? 0 : 1;
      if (options.json) {
        writeLine(ctx.stdout, JSON.stringify({ against: source.label, topics: checks }, null, 2));
        return;
      }
      for (const check of checks) {
        if (check.status === 'incompatible') {
          for (const v of check.violations) writeLine(ctx.stderr, formatViolation(check, v));
        } else {
          const what = { compatible: 'compatible', unchanged: 'unchanged', new: 'new (nothing to compare)' }[
            check.status
          ];
          writeLine(
            ctx.stdout,
            `✓ ${check.topic}  ${check.file}  ${check.compatibility}: ${what} (${check.against})`,
          );
        }
      }
      const count = incompatible.reduce((sum, c) => sum + c.violations.length, 0);
      if (count > 0)
        writeLine(
          ctx.stderr,
          `\n${count} incompatible change${count === 1 ? '' : 's'} in ${incompatible.length} topic${incompatible.length === 1 ? '' : 's'} (against ${source.label}).`,
        );
      else
        writeLine(
          ctx.stdout,
          `${checks.length} topic schema${checks.length === 1 ? '' : 's'} checked against ${source.label}: compatible.`,
        );
    });
}
