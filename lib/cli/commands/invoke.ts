import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { buildMskEvent, type MskEvent } from '../../core/msk-event.ts';
import { localClusterArn } from '../../core/naming.ts';
import { renderInvocation } from '../../local/invoke/render.ts';
import { invokeOnce } from '../../local/invoke/run.ts';
import {
  eventFromFile,
  InvokeInputError,
  recordsFromJsonl,
  recordsFromTopic,
} from '../../local/invoke/sources.ts';
import { brokerList, localBrokers } from '../../ops/shared/local-endpoints.ts';
import { findConsumer, findTenant } from '../../ops/shared/target.ts';
import { type CliContext, CliError, UsageError, writeLine } from '../context.ts';
import { positiveInteger } from '../options.ts';
import { loadSpec } from './shared-local.ts';

interface InvokeFlags {
  tenant: string;
  consumer: string;
  event?: string;
  records?: string;
  fromTopic?: boolean;
  offset?: { partition: number; offset: number };
  count: number;
  produce?: boolean;
  json?: boolean;
  brokers?: string[];
  config?: string;
}

/** `--offset 2:15`: partition 2, offset 15. */
function partitionOffset(value: string): { partition: number; offset: number } {
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected <partition>:<offset>, e.g. 2:15, got "${value}"`);
  return { partition: Number(match[1]), offset: Number(match[2]) };
}

export function registerInvoke(program: Command, ctx: CliContext): void {
  program
    .command('invoke')
    .description(
      "Run a consumer's handler once, in the same function host and environment as `stratus dev`, and print its batch response, outputs, dead letters, logs and metrics. Outputs are not produced unless --produce.",
    )
    .requiredOption('--tenant <name>', 'tenant of the consumer')
    .requiredOption('--consumer <key>', 'consumer key in the manifest')
    .option('--event <file>', 'an MSK event as JSON (e.g. from `stratus event`)')
    .option('--records <file>', "a JSONL file: each line is one record value of the consumer's topic")
    .option(
      '--from-topic',
      "read records from the consumer's topic on the local broker (nothing is committed)",
    )
    .option(
      '--offset <partition:offset>',
      'with --from-topic: start here (default: the newest records)',
      partitionOffset,
    )
    .option('--count <n>', 'with --from-topic: how many records', positiveInteger, 1)
    .option('--produce', 'produce the outputs and dead letters to Kafka (needs the broker of `stratus dev`)')
    .option('--json', 'print the result as JSON')
    .option(
      '--brokers <list>',
      'bootstrap brokers (default: KAFKA_BROKERS, else the local broker)',
      brokerList,
    )
    .option('--config <file>', 'platform config file (default: stratus.config.yaml)')
    .action((flags: InvokeFlags) => invoke(flags, ctx));
}

async function invoke(flags: InvokeFlags, ctx: CliContext): Promise<void> {
  const inputs = [flags.event, flags.records, flags.fromTopic].filter(Boolean).length;
  if (inputs !== 1)
    throw new UsageError('give exactly one of --event <file>, --records <file.jsonl> or --from-topic');
  if (flags.offset && !flags.fromTopic) throw new UsageError('--offset applies to --from-topic only');
  const spec = loadSpec(ctx, flags.config);
  const tenant = findTenant(spec, flags.tenant);
  const consumer = findConsumer(tenant, flags.consumer);
  const brokers = localBrokers(spec.platform, flags.brokers);

  let event: MskEvent;
  try {
    if (flags.event) {
      event = eventFromFile(path.resolve(ctx.cwd, flags.event));
    } else {
      const arn = localClusterArn(spec.platform.region, spec.platform.cluster.name);
      const records = flags.records
        ? recordsFromJsonl(path.resolve(ctx.cwd, flags.records), consumer)
        : await recordsFromTopic({
            kafka: new Kafka({
              clientId: 'stratus-invoke',
              brokers,
              logLevel: logLevel.NOTHING,
              retry: { retries: 2 },
            }),
            consumer,
            from: flags.offset,
            count: flags.count,
          }).catch((error: Error) => {
            if (error instanceof InvokeInputError) throw error;
            throw new CliError(
              `cannot read ${consumer.topic} from Kafka at ${brokers.join(',')} (${error.message}); start it with \`stratus dev\``,
            );
          });
      event = buildMskEvent(records, arn, brokers.join(','));
    }
  } catch (error) {
    if (error instanceof InvokeInputError) throw new CliError(error.message);
    throw error;
  }

  const outcome = await invokeOnce({
    platform: spec.platform,
    tenant,
    consumer,
    event,
    produceTo: flags.produce ? brokers : undefined,
  });
  if (flags.json) writeLine(ctx.stdout, JSON.stringify({ ...outcome, event: undefined }, null, 2));
  else for (const line of renderInvocation(outcome)) writeLine(ctx.stdout, line);
  // Scripts can tell: 0 when every record succeeded, 1 when the function failed or reported failed records.
  ctx.exitCode = outcome.result.ok && outcome.result.failures.length === 0 ? 0 : 1;
}
