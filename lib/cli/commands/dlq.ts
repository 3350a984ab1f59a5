import path from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { awsClientConfig } from '../../core/aws-client-config.ts';
import { dlqTopicName, parseQualifiedName } from '../../core/naming.ts';
import { statePaths } from '../../local/state-dir.ts';
import { loadStratusOrThrow } from '../../manifest/index.ts';
import type { StratusSpec } from '../../manifest/spec.ts';
import { getDlqEntry, listDlq } from '../../ops/dlq/list.ts';
import { parseDlqRecordId } from '../../ops/dlq/record-id.ts';
import { DEFAULT_MAX_REDRIVES, redriveDlq } from '../../ops/dlq/redrive.ts';
import {
  renderDlqExplanations,
  renderDlqListing,
  renderRedrive,
  showDlqEntry,
} from '../../ops/dlq/render.ts';
import { type DlqFilter, type DlqFilterField, parseDlqFilter } from '../../ops/dlq/select.ts';
import {
  cloudWatchFunctionLogs,
  explainFailure,
  type FunctionLogs,
  localFunctionLogs,
} from '../../ops/dlq/why.ts';
import { OpsError } from '../../ops/shared/errors.ts';
import { opsKafka } from '../../ops/shared/kafka-connection.ts';
import { brokerList, localBrokers } from '../../ops/shared/local-endpoints.ts';
import { findConsumer, findTenant } from '../../ops/shared/target.ts';
import { type CliContext, UsageError, writeLine } from '../context.ts';
import { isoTime, positiveInteger } from '../options.ts';

interface CommonFlags {
  tenant?: string;
  aws?: boolean;
  brokers?: string[];
  kafkaAuth?: 'iam' | 'plaintext';
  region?: string;
  config: string;
  json?: boolean;
}

interface SelectFlags extends CommonFlags {
  consumer?: string;
  since?: Date;
  filter?: Array<{ field: DlqFilterField; value: string }>;
}

/** `--filter error=TypeError`, repeatable; a malformed one is a usage error. */
function filterOption(value: string, previous: Array<{ field: DlqFilterField; value: string }> = []) {
  try {
    return [...previous, parseDlqFilter(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function withCommon(command: Command): Command {
  return command
    .option(
      '--brokers <list>',
      'bootstrap brokers (default: KAFKA_BROKERS, else the local broker)',
      brokerList,
    )
    .addOption(
      new Option('--kafka-auth <auth>', 'iam for Amazon MSK (with --brokers), plaintext for the local broker')
        .choices(['iam', 'plaintext'])
        .default('plaintext'),
    )
    .option(
      '--region <region>',
      "region MSK IAM tokens are signed for (default: the platform config's region)",
    )
    .option('--config <file>', 'platform config file', 'stratus.config.yaml');
}

/** Where "why did it fail" looks: the functions' CloudWatch Logs with --aws, else `stratus dev`'s log file. */
function withLogs(command: Command): Command {
  return command.option(
    '--aws',
    "find the handler's errors in the functions' CloudWatch Logs (default: the log file `stratus dev` writes)",
  );
}

function withSelection(command: Command): Command {
  return command
    .requiredOption('--tenant <name>', 'tenant whose DLQ (<tenant>.dlq) to read')
    .option('--consumer <key>', 'only records this consumer dead-lettered')
    .option('--since <time>', 'only records dead-lettered at or after this ISO 8601 time', isoTime)
    .option(
      '--filter <field=value>',
      'only matching records: error=<class>, reason=<REASON>, topic=<source topic>; repeatable',
      filterOption,
    );
}

export function registerDlq(program: Command, ctx: CliContext): void {
  const dlq = program
    .command('dlq')
    .description("Inspect and redrive a tenant's dead-letter topic (<tenant>.dlq).");

  const load = (flags: CommonFlags) => loadStratusOrThrow({ rootDir: ctx.cwd, configFile: flags.config });
  const connect = (spec: StratusSpec, flags: CommonFlags) =>
    opsKafka({
      brokers: localBrokers(spec.platform, flags.brokers),
      auth: flags.kafkaAuth,
      region: flags.region ?? spec.platform.region,
    });
  const logFile = (spec: StratusSpec) => path.join(statePaths(spec.platform).logDir, 'functions.log');
  const functionLogs = (spec: StratusSpec, flags: CommonFlags, tenant: string): FunctionLogs =>
    flags.aws
      ? cloudWatchFunctionLogs(
          new CloudWatchLogsClient(awsClientConfig({ region: flags.region ?? spec.platform.region })),
          tenant,
        )
      : localFunctionLogs(logFile(spec), path.relative(ctx.cwd, logFile(spec)));
  const selection = (spec: StratusSpec, flags: SelectFlags): { tenant: string; filter: DlqFilter } => {
    const tenant = findTenant(spec, flags.tenant ?? '');
    if (flags.consumer !== undefined) findConsumer(tenant, flags.consumer);
    return {
      tenant: tenant.name,
      filter: { consumer: flags.consumer, since: flags.since, match: flags.filter },
    };
  };

  withLogs(withCommon(withSelection(dlq.command('list'))))
    .description(
      'List dead letters: error, source coordinates, attempts, age, redrive status; counts by error class.',
    )
    .option('--json', 'print the records and counts as JSON')
    .option('--verbose', "add the handler's last error and stack for each record, from the function logs")
    .action(async (flags: SelectFlags & { verbose?: boolean }) => {
      const spec = load(flags);
      const { tenant, filter } = selection(spec, flags);
      const listing = await listDlq(connect(spec, flags), tenant, filter);
      if (flags.verbose) {
        const logs = functionLogs(spec, flags, tenant);
        listing.entries = await Promise.all(
          listing.entries.map(async (entry) =>
            entry.envelope ? { ...entry, why: await explainFailure(entry.envelope, logs) } : entry,
          ),
        );
      }
      if (flags.json) writeLine(ctx.stdout, JSON.stringify(listing, null, 2));
      else {
        writeLine(ctx.stdout, renderDlqListing(listing));
        if (flags.verbose && listing.entries.length > 0)
          writeLine(ctx.stdout, renderDlqExplanations(listing.entries));
      }
    });

  withLogs(withCommon(dlq.command('show')))
    .description('Show one dead letter, its value decoded and pretty-printed.')
    .argument(
      '<id>',
      '`<partition>:<offset>` in the tenant DLQ (as `dlq list` prints it), or `<tenant>.dlq/<partition>/<offset>`',
    )
    .option('--tenant <name>', 'tenant of the DLQ (not needed with a `<tenant>.dlq/<partition>/<offset>` id)')
    .action(async (idText: string, flags: CommonFlags) => {
      const id = parseDlqRecordId(idText);
      if (!id)
        throw new UsageError(
          `"${idText}" is not a DLQ record id; use <partition>:<offset> with --tenant, or <tenant>.dlq/<partition>/<offset>`,
        );
      const tenantName = flags.tenant ?? (id.topic ? parseQualifiedName(id.topic)?.tenant : undefined);
      if (!tenantName) throw new UsageError(`give --tenant with the id ${idText}`);
      const spec = load(flags);
      const tenant = findTenant(spec, tenantName);
      if (id.topic && id.topic !== dlqTopicName(tenant.name))
        throw new OpsError(
          `${id.topic} is not the DLQ of tenant ${tenant.name} (${dlqTopicName(tenant.name)})`,
        );
      const entry = await getDlqEntry(connect(spec, flags), tenant.name, id);
      const why = entry.envelope
        ? await explainFailure(entry.envelope, functionLogs(spec, flags, tenant.name))
        : undefined;
      writeLine(ctx.stdout, JSON.stringify({ ...showDlqEntry(entry), why }, null, 2));
    });

  withCommon(withSelection(dlq.command('redrive')))
    .description(
      'Re-publish selected dead letters to their source topic with a redrive-count header; records past the limit stay; redriven records are not sent twice.',
    )
    .option(
      '--max-redrives <n>',
      `records already redriven this many times stay in the DLQ (default ${DEFAULT_MAX_REDRIVES})`,
      positiveInteger,
    )
    .option('--dry-run', 'show what would be redriven and change nothing')
    .option('--json', 'print the outcome as JSON')
    .action(async (flags: SelectFlags & { maxRedrives?: number; dryRun?: boolean }) => {
      const spec = load(flags);
      const { tenant, filter } = selection(spec, flags);
      const outcome = await redriveDlq({
        kafka: connect(spec, flags),
        tenant,
        filter,
        maxRedrives: flags.maxRedrives,
        dryRun: flags.dryRun,
      });
      writeLine(ctx.stdout, flags.json ? JSON.stringify(outcome, null, 2) : renderRedrive(outcome));
    });
}
