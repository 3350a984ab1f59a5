import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, Option } from 'commander';
import { Kafka } from 'kafkajs';
import { loadStratusOrThrow } from '../../manifest/index.ts';
import { lagJson, renderLagTable } from '../../ops/lag/render.ts';
import { LagReader, lagTargets, withRates } from '../../ops/lag.ts';
import { opsKafkaConfig } from '../../ops/shared/kafka-connection.ts';
import { brokerList, localBrokers } from '../../ops/shared/local-endpoints.ts';
import { findTenant } from '../../ops/shared/target.ts';
import { type CliContext, CliError, writeLine } from '../context.ts';
import { positiveNumber } from '../options.ts';

interface LagFlags {
  tenant?: string;
  json?: boolean;
  partitions?: boolean;
  interval: number;
  brokers?: string[];
  kafkaAuth?: 'iam' | 'plaintext';
  region?: string;
  config?: string;
  dir?: string;
}

export function registerLag(program: Command, ctx: CliContext): void {
  program
    .command('lag')
    .description(
      'Consumer lag per consumer group, read from Kafka: offset lag, time lag (age of the next unread record), consumption rate and an estimated time to drain.',
    )
    .option('--tenant <name>', 'only this tenant (default: every tenant)')
    .option('--json', 'print the groups, their partitions and rates as JSON')
    .option('--partitions', 'add a row per partition under each group')
    .option(
      '--interval <seconds>',
      'seconds between the two samples the rates are measured from',
      positiveNumber,
      2,
    )
    .option(
      '--brokers <list>',
      'bootstrap brokers (default: KAFKA_BROKERS, else the local broker from the config)',
      brokerList,
    )
    .addOption(
      new Option('--kafka-auth <auth>', 'how to authenticate to the brokers (iam for Amazon MSK)')
        .choices(['iam', 'plaintext'])
        .default('plaintext'),
    )
    .option('--region <region>', "AWS region for MSK IAM tokens (default: the platform config's region)")
    .option('--config <file>', 'platform config file (default: stratus.config.yaml when present)')
    .option('--dir <dir>', "directory of tenant manifests (default: the config's tenantsDir)")
    .action(async (flags: LagFlags) => {
      const spec = loadStratusOrThrow({ rootDir: ctx.cwd, configFile: flags.config, tenantsDir: flags.dir });
      const tenants = flags.tenant ? [findTenant(spec, flags.tenant)] : spec.tenants;
      const targets = lagTargets(tenants);
      if (targets.length === 0) {
        if (flags.json) writeLine(ctx.stdout, JSON.stringify({ groups: [] }, null, 2));
        else
          writeLine(ctx.stdout, `no consumers in ${tenants.map((t) => t.name).join(', ') || 'any tenant'}`);
        return;
      }
      const brokers = localBrokers(spec.platform, flags.brokers);
      const reader = new LagReader({
        kafka: new Kafka({
          ...opsKafkaConfig({ brokers, auth: flags.kafkaAuth, region: flags.region ?? spec.platform.region }),
          // kafkajs' default five retries keep a user waiting 8 s for "broker unreachable".
          retry: { retries: 2 },
        }),
      });
      try {
        const first = await reader.read(targets).catch((error: unknown) => {
          throw new CliError(
            `cannot read consumer lag from Kafka at ${brokers.join(',')}: ${error instanceof Error ? error.message : String(error)}. Is \`stratus dev\` running? Set KAFKA_BROKERS or --brokers to use another broker`,
          );
        });
        await sleep(flags.interval * 1000);
        const groups = withRates(first, await reader.read(targets));
        if (flags.json)
          writeLine(ctx.stdout, JSON.stringify(lagJson(groups, brokers, flags.interval), null, 2));
        else writeLine(ctx.stdout, renderLagTable(groups, { partitions: flags.partitions }));
      } finally {
        await reader.close();
      }
    });
}
