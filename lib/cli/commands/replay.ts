import { KafkaClient } from '@aws-sdk/client-kafka';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { type Command, Option } from 'commander';
import { awsClientConfig } from '../../core/aws-client-config.ts';
import { consumerFunctionName, SANDBOX_NAME_PATTERN } from '../../core/naming.ts';
import {
  type ConsumerSpec,
  loadStratusOrThrow,
  type StratusSpec,
  type TenantSpec,
} from '../../manifest/index.ts';
import {
  awsConsumerControl,
  type ConsumerControl,
  findEventSourceMapping,
  localConsumerControl,
} from '../../ops/consumer-control.ts';
import { mskBrokersOfMapping } from '../../ops/replay/aws-brokers.ts';
import { askYesNo } from '../../ops/replay/confirm.ts';
import { runLocalBoundedReplay } from '../../ops/replay/local-bounded.ts';
import type { ReplayPlan } from '../../ops/replay/plan.ts';
import { renderReplayPlan } from '../../ops/replay/render.ts';
import { replayBoundedWindow, replayLiveGroup } from '../../ops/replay/run.ts';
import { windowProblem } from '../../ops/replay/window.ts';
import { opsKafka } from '../../ops/shared/kafka-connection.ts';
import {
  brokerList,
  localBrokers,
  localControlToken,
  localRuntimeUrl,
} from '../../ops/shared/local-endpoints.ts';
import { findConsumer, findTenant } from '../../ops/shared/target.ts';
import { type CliContext, CliError, UsageError, writeLine } from '../context.ts';
import { isoTime } from '../options.ts';

interface ReplayFlags {
  tenant: string;
  consumer: string;
  from: Date;
  to?: Date;
  into?: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  aws?: boolean;
  region?: string;
  brokers?: string[];
  kafkaAuth?: 'iam' | 'plaintext';
  runtimeUrl?: string;
  config: string;
}

export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description(
      "Reprocess a consumer's records from a point in time: shows the plan per partition, asks, then pauses the consumer, resets its group's offsets and resumes it.",
    )
    .requiredOption('--tenant <name>', 'tenant of the consumer')
    .requiredOption('--consumer <key>', 'consumer key in the manifest (e.g. enrich-orders)')
    .requiredOption(
      '--from <time>',
      'replay records with a timestamp at or after this ISO 8601 time',
      isoTime,
    )
    .option('--to <time>', 'stop before records at or after this ISO 8601 time (bounded replay)', isoTime)
    .option(
      '--into <sandbox>',
      'replay into a temporary consumer group and sandbox sink; the live pipeline is untouched',
    )
    .option('--dry-run', 'show the plan and change nothing')
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'print the plan and the outcome as JSON')
    .option(
      '--aws',
      "act on the deployed pipeline: disable the consumer's Lambda event-source mapping meanwhile",
    )
    .option('--region <region>', "AWS region (default: the platform config's region)")
    .option(
      '--brokers <list>',
      'bootstrap brokers (default: local broker; on AWS, the MSK cluster of the mapping)',
      brokerList,
    )
    .addOption(
      new Option(
        '--kafka-auth <auth>',
        'how to authenticate to the brokers (default: iam with --aws)',
      ).choices(['iam', 'plaintext']),
    )
    .option(
      '--runtime-url <url>',
      'the running `stratus dev` metrics server (default: from local.metricsPort)',
    )
    .option('--config <file>', 'platform config file', 'stratus.config.yaml')
    .action(async (flags: ReplayFlags) => {
      const problem = windowProblem({ from: flags.from, to: flags.to });
      if (problem) throw new UsageError(`${problem}; nothing was changed`);
      if (flags.into !== undefined && !SANDBOX_NAME_PATTERN.test(flags.into))
        throw new UsageError(
          `--into "${flags.into}" is not a sandbox name: lower-case letters, digits and '-', starting with a letter, at most 24 characters`,
        );
      const bounded = flags.to !== undefined || flags.into !== undefined;
      if (bounded && flags.aws)
        throw new UsageError(
          '--to and --into run the handler locally through a temporary consumer group; they are not available with --aws (see the README, Operations)',
        );
      const spec = loadStratusOrThrow({ rootDir: ctx.cwd, configFile: flags.config });
      const tenant = findTenant(spec, flags.tenant);
      const consumer = findConsumer(tenant, flags.consumer);
      if (bounded) {
        await boundedReplay(ctx, flags, spec, tenant, consumer);
        return;
      }

      let control: ConsumerControl;
      let brokers: string[];
      let auth: 'iam' | 'plaintext';
      const region = flags.region ?? spec.platform.region;
      if (flags.aws) {
        const lambda = new LambdaClient(awsClientConfig({ region }));
        const functionName = consumerFunctionName(tenant.name, consumer.key);
        control = awsConsumerControl({ lambda, functionName, topic: consumer.topic });
        brokers =
          flags.brokers ??
          (await mskBrokersOfMapping(
            new KafkaClient(awsClientConfig({ region })),
            await findEventSourceMapping(lambda, functionName, consumer.topic),
          ));
        auth = flags.kafkaAuth ?? 'iam';
      } else {
        const { token, file } = localControlToken(spec.platform);
        control = localConsumerControl({
          groupId: consumer.groupId,
          runtimeUrl: localRuntimeUrl(spec.platform, flags.runtimeUrl),
          token,
          tokenFile: file,
        });
        brokers = localBrokers(spec.platform, flags.brokers);
        auth = flags.kafkaAuth ?? 'plaintext';
      }
      const kafka = opsKafka({ brokers, auth, region });
      const mode = flags.dryRun ? 'dry run' : flags.aws ? 'on AWS' : 'local';

      const outcome = await replayLiveGroup({
        kafka,
        consumer,
        window: { from: flags.from, to: flags.to },
        control,
        dryRun: flags.dryRun,
        confirm: async (plan) => {
          if (!flags.json) writeLine(ctx.stdout, renderReplayPlan(plan, mode));
          if (flags.yes) return true;
          const answer = await askYesNo(`Reset ${plan.groupId} to these offsets (${control.description})?`, {
            input: process.stdin,
            output: ctx.stdout,
          });
          if (answer === 'no-terminal')
            throw new CliError(
              'refusing to reset offsets without confirmation: stdin is not a terminal. Re-run with --yes, or --dry-run to only see the plan. Nothing was changed',
            );
          return answer;
        },
      });

      if (flags.json) {
        writeLine(ctx.stdout, JSON.stringify(outcome, null, 2));
        return;
      }
      if (outcome.status !== 'applied') {
        // The confirmation step printed the plan already when it ran; dry runs and no-ops print it here.
        if (outcome.status !== 'declined') writeLine(ctx.stdout, renderReplayPlan(outcome.plan, mode));
        writeLine(ctx.stdout, statusLine(outcome.status));
        return;
      }
      writeLine(ctx.stdout, `${outcome.pauseNote}.`);
      writeLine(ctx.stdout, appliedLine(outcome.applied));
      writeLine(ctx.stdout, `Resumed ${consumer.groupId}.`);
    });
}

/** `--to` / `--into`: a temporary group fed to the handler in a local FunctionHost; the live group is untouched. */
async function boundedReplay(
  ctx: CliContext,
  flags: ReplayFlags,
  spec: StratusSpec,
  tenant: TenantSpec,
  consumer: ConsumerSpec,
): Promise<void> {
  const brokers = localBrokers(spec.platform, flags.brokers);
  const kafka = opsKafka({ brokers, auth: flags.kafkaAuth ?? 'plaintext' });
  const mode = flags.dryRun
    ? 'dry run'
    : flags.into
      ? `into sandbox ${flags.into}, live pipeline untouched`
      : 'bounded, through a temporary group; the live group is untouched';
  const outcome = await replayBoundedWindow({
    kafka,
    consumer,
    window: { from: flags.from, to: flags.to },
    sandbox: flags.into,
    dryRun: flags.dryRun,
    confirm: async (plan) => {
      if (!flags.json) writeLine(ctx.stdout, renderReplayPlan(plan, mode));
      if (flags.yes) return true;
      const answer = await askYesNo(`Replay these ${plan.records} records?`, {
        input: process.stdin,
        output: ctx.stdout,
      });
      if (answer === 'no-terminal')
        throw new CliError(
          'refusing to replay without confirmation: stdin is not a terminal. Re-run with --yes, or --dry-run to only see the plan. Nothing was changed',
        );
      return answer;
    },
    run: (plan) =>
      runLocalBoundedReplay({
        kafka,
        brokers,
        awsEndpoint: process.env.AWS_ENDPOINT_URL ?? `http://127.0.0.1:${spec.platform.local.awsPort}`,
        platform: spec.platform,
        tenant,
        consumer,
        plan,
        sandbox: flags.into,
      }),
  });
  if (flags.json) {
    writeLine(ctx.stdout, JSON.stringify(outcome, null, 2));
    return;
  }
  if (outcome.status !== 'applied') {
    if (outcome.status !== 'declined') writeLine(ctx.stdout, renderReplayPlan(outcome.plan, mode));
    writeLine(ctx.stdout, statusLine(outcome.status));
    return;
  }
  const { result } = outcome;
  writeLine(
    ctx.stdout,
    `Replayed ${result.delivered} record${result.delivered === 1 ? '' : 's'} through temporary group ${result.groupId} (${result.invocations} invocations, ${result.filtered} filtered, ${result.failedRecords} failed and not dead-lettered); ${consumer.groupId} was not changed.`,
  );
  if (result.sandbox?.outputTopic) writeLine(ctx.stdout, `Sandbox outputs: ${result.sandbox.outputTopic}`);
  for (const table of result.sandbox?.tables ?? []) writeLine(ctx.stdout, `Sandbox sink: ${table}`);
  if (result.failedRecords > 0) {
    writeLine(
      ctx.stderr,
      `error: ${result.failedRecords} records failed: ${result.firstError ?? 'see the function log'}`,
    );
    ctx.exitCode = 1;
  }
}

function statusLine(status: 'dry-run' | 'nothing-to-do' | 'declined'): string {
  if (status === 'dry-run') return 'Dry run: nothing was changed.';
  if (status === 'declined') return 'Not confirmed: nothing was changed.';
  return 'Nothing was changed.';
}

function appliedLine(plan: ReplayPlan): string {
  const moved = plan.partitions.filter((partition) => partition.records > 0);
  const list = moved.map((partition) => `${partition.partition}→${partition.target}`).join(', ');
  return `Reset ${plan.groupId} on ${plan.topic}: partition→offset ${list}; ${plan.records} record${plan.records === 1 ? '' : 's'} will be processed again.`;
}
