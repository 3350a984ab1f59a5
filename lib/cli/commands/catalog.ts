import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { asyncApiDocument } from '../../catalog/asyncapi.ts';
import { checkAsyncApi } from '../../catalog/asyncapi-check.ts';
import { backstageEntities, checkBackstage, renderBackstage } from '../../catalog/backstage.ts';
import { buildLineageGraph } from '../../catalog/graph.ts';
import { loadStratusOrThrow } from '../../manifest/index.ts';
import { findTenant } from '../../ops/shared/target.ts';
import { type CliContext, CliError, writeLine } from '../context.ts';

interface CatalogFlags {
  tenant?: string;
  format: 'asyncapi' | 'backstage';
  out?: string;
  bootstrap?: string;
  check: boolean;
  config?: string;
  dir?: string;
}

export function registerCatalog(program: Command, ctx: CliContext): void {
  program
    .command('catalog')
    .description(
      "The tenants' event streams in the ecosystem's formats: an AsyncAPI 3.0 document per tenant, or Backstage catalog entities; each is checked with the format's own validator before it is written.",
    )
    .addOption(
      new Option('--format <format>', 'asyncapi or backstage')
        .choices(['asyncapi', 'backstage'])
        .makeOptionMandatory(),
    )
    .option('--tenant <name>', 'only this tenant (default: every tenant)')
    .option('--out <dir>', 'write <tenant>.asyncapi.yaml files or catalog-info.yaml here instead of printing')
    .option(
      '--bootstrap <host:port>',
      "the AWS cluster's bootstrap broker for the AsyncAPI servers (default: a variable)",
    )
    .option('--no-check', 'skip the AsyncAPI parser / Backstage validators')
    .option('--config <file>', 'platform config file (default: stratus.config.yaml when present)')
    .option('--dir <dir>', "directory of tenant manifests (default: the config's tenantsDir)")
    .action(async (flags: CatalogFlags) => {
      const spec = loadStratusOrThrow({ rootDir: ctx.cwd, configFile: flags.config, tenantsDir: flags.dir });
      if (flags.tenant) findTenant(spec, flags.tenant);
      const graph = buildLineageGraph(spec, { tenant: flags.tenant });
      const outDir = flags.out ? path.resolve(ctx.cwd, flags.out) : undefined;
      if (outDir) mkdirSync(outDir, { recursive: true });

      if (flags.format === 'asyncapi') {
        const documents = graph.tenants.map((tenant) => ({
          tenant: tenant.name,
          document: asyncApiDocument(graph, tenant, spec.platform, { bootstrap: flags.bootstrap }),
        }));
        if (flags.check) {
          const problems: string[] = [];
          for (const { tenant, document } of documents)
            for (const p of await checkAsyncApi(document))
              if (p.severity === 'error' || p.severity === 'warning')
                problems.push(`${tenant}: ${p.severity} ${p.code} at ${p.path || '(root)'}: ${p.message}`);
          if (problems.length > 0)
            throw new CliError(`the AsyncAPI parser refused the documents:\n${problems.join('\n')}`);
        }
        for (const { tenant, document } of documents) {
          if (outDir) {
            const file = path.join(outDir, `${tenant}.asyncapi.yaml`);
            writeFileSync(file, stringify(document));
            writeLine(ctx.stdout, `wrote ${path.relative(ctx.cwd, file) || file}`);
          } else ctx.stdout.write(`---\n${stringify(document)}`);
        }
        return;
      }

      const entities = backstageEntities(graph, spec.platform, { bootstrap: flags.bootstrap });
      if (flags.check) {
        const problems = await checkBackstage(entities);
        if (problems.length > 0)
          throw new CliError(`the Backstage validators refused the entities:\n${problems.join('\n')}`);
      }
      if (outDir) {
        const file = path.join(outDir, 'catalog-info.yaml');
        writeFileSync(file, renderBackstage(entities));
        writeLine(ctx.stdout, `wrote ${entities.length} entities to ${path.relative(ctx.cwd, file) || file}`);
      } else ctx.stdout.write(renderBackstage(entities));
    });
}
