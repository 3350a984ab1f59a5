import { type Command, Option } from 'commander';
import { Kafka } from 'kafkajs';
import { buildLineageGraph } from '../../catalog/graph.ts';
import { observeLineage, renderObserved } from '../../catalog/observed.ts';
import {
  defaultNamespaces,
  openLineageEvents,
  postOpenLineage,
  renderOpenLineage,
} from '../../catalog/openlineage.ts';
import { renderDot, renderJson, renderMermaid } from '../../catalog/render-diagram.ts';
import { renderText } from '../../catalog/render-text.ts';
import { loadStratusOrThrow } from '../../manifest/index.ts';
import { opsKafkaConfig } from '../../ops/shared/kafka-connection.ts';
import { brokerList, localBrokers } from '../../ops/shared/local-endpoints.ts';
import { findTenant } from '../../ops/shared/target.ts';
import { type CliContext, CliError, UsageError, writeLine } from '../context.ts';
import { positiveInteger } from '../options.ts';

type LineageFormat = 'text' | 'mermaid' | 'dot' | 'json' | 'openlineage';

interface LineageFlags {
  tenant?: string;
  format: LineageFormat;
  post?: string;
  observed?: boolean;
  sample: number;
  bootstrap?: string;
  brokers?: string[];
  kafkaAuth?: 'iam' | 'plaintext';
  config?: string;
  dir?: string;
}

export function registerLineage(program: Command, ctx: CliContext): void {
  program
    .command('lineage')
    .description(
      'What feeds what, from the manifests: topics, consumers, processors, sinks, tables and the edges between tenants; --observed checks the lineage headers on the records against it.',
    )
    .option('--tenant <name>', "only this tenant, with the other tenants' nodes one edge away")
    .addOption(
      new Option('--format <format>', 'how to print the graph')
        .choices(['text', 'mermaid', 'dot', 'json', 'openlineage'])
        .default('text'),
    )
    .option(
      '--post <url>',
      'POST the OpenLineage events to this endpoint (e.g. http://marquez:5000/api/v1/lineage)',
    )
    .option(
      '--bootstrap <host:port>',
      'broker in the Kafka dataset namespace kafka://<host:port> (OpenLineage)',
    )
    .option(
      '--observed',
      'sample every topic and report writers the manifests do not declare (exit 1 if any)',
    )
    .option('--sample <n>', 'newest records per partition to read with --observed', positiveInteger, 200)
    .option(
      '--brokers <list>',
      'bootstrap brokers for --observed (default: KAFKA_BROKERS, else the local broker)',
      brokerList,
    )
    .addOption(
      new Option('--kafka-auth <auth>', 'how to authenticate to the brokers (iam for Amazon MSK)')
        .choices(['iam', 'plaintext'])
        .default('plaintext'),
    )
    .option('--config <file>', 'platform config file (default: stratus.config.yaml when present)')
    .option('--dir <dir>', "directory of tenant manifests (default: the config's tenantsDir)")
    .action(async (flags: LineageFlags) => {
      if (flags.post && flags.format !== 'openlineage')
        throw new UsageError('--post sends OpenLineage events; add --format openlineage');
      if (flags.observed && flags.post) throw new UsageError('--observed and --post do not go together');
      const spec = loadStratusOrThrow({ rootDir: ctx.cwd, configFile: flags.config, tenantsDir: flags.dir });
      if (flags.tenant) findTenant(spec, flags.tenant);

      if (flags.observed) {
        const brokers = localBrokers(spec.platform, flags.brokers);
        const kafka = new Kafka({
          ...opsKafkaConfig({ brokers, auth: flags.kafkaAuth, region: spec.platform.region }),
          retry: { retries: 2 },
        });
        const tenants = flags.tenant ? spec.tenants.filter((t) => t.name === flags.tenant) : spec.tenants;
        const observed = await observeLineage({
          kafka,
          spec,
          topics: tenants.flatMap((t) => t.topics),
          sample: flags.sample,
        }).catch((error: unknown) => {
          throw new CliError(
            `cannot sample the topics at ${brokers.join(',')}: ${error instanceof Error ? error.message : String(error)}. Is \`stratus dev\` running? Set KAFKA_BROKERS or --brokers`,
          );
        });
        ctx.stdout.write(
          flags.format === 'json' ? `${JSON.stringify(observed, null, 2)}\n` : renderObserved(observed),
        );
        ctx.exitCode = observed.undeclared.length > 0 ? 1 : 0;
        return;
      }

      const graph = buildLineageGraph(spec, { tenant: flags.tenant });
      if (flags.format === 'openlineage') {
        const events = openLineageEvents(graph, {
          namespaces: defaultNamespaces(spec.platform, flags.bootstrap),
        });
        if (flags.post) {
          await postOpenLineage(flags.post, events).catch((error: unknown) => {
            throw new CliError(
              `posting OpenLineage events: ${error instanceof Error ? error.message : String(error)}`,
            );
          });
          writeLine(ctx.stdout, `posted ${events.length} OpenLineage events to ${flags.post}`);
          return;
        }
        ctx.stdout.write(renderOpenLineage(events));
        return;
      }
      const render = { text: renderText, mermaid: renderMermaid, dot: renderDot, json: renderJson }[
        flags.format
      ];
      ctx.stdout.write(render(graph));
    });
}
