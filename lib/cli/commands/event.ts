import type { Command } from 'commander';
import { sampleEvent } from '../../local/invoke/sample-event.ts';
import { localBrokers } from '../../ops/shared/local-endpoints.ts';
import { findTenant } from '../../ops/shared/target.ts';
import type { CliContext } from '../context.ts';
import { writeLine } from '../context.ts';
import { positiveInteger } from '../options.ts';
import { loadSpec, topicOf } from './shared-local.ts';

interface EventFlags {
  tenant: string;
  topic: string;
  count: number;
  poison?: boolean;
  seed?: number;
  config?: string;
}

export function registerEvent(program: Command, ctx: CliContext): void {
  program
    .command('event')
    .description(
      "Print an MSK event in AWS's exact shape, with records generated from the topic's JSON Schema: for tests and for `stratus invoke --event`.",
    )
    .requiredOption('--tenant <name>', 'tenant of the topic')
    .requiredOption('--topic <key>', 'topic key in the manifest (orders) or full name (payments.orders)')
    .option('--count <n>', 'records in the event', positiveInteger, 3)
    .option('--poison', 'mix in bad JSON and schema violations (and records the example handlers fail on)')
    .option('--seed <n>', 'seed of the generator (same seed, same values)', positiveInteger)
    .option('--config <file>', 'platform config file (default: stratus.config.yaml)')
    .action((flags: EventFlags) => {
      const spec = loadSpec(ctx, flags.config);
      const topic = topicOf(findTenant(spec, flags.tenant), flags.topic);
      const event = sampleEvent({
        platform: spec.platform,
        topic,
        count: flags.count,
        poison: flags.poison ?? false,
        seed: flags.seed ?? Date.now() & 0xffff,
        bootstrapServers: localBrokers(spec.platform).join(','),
      });
      writeLine(ctx.stdout, JSON.stringify(event, null, 2));
    });
}
