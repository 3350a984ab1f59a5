import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { PRODUCER_CONFIG } from '../../core/kafka-producer.ts';
import { generatorFor } from '../../local/demo/generators.ts';
import { demoMessages } from '../../local/demo/messages.ts';
import { publish } from '../../local/demo/publish.ts';
import { brokerList, localBrokers } from '../../ops/shared/local-endpoints.ts';
import { type CliContext, CliError, UsageError, writeLine } from '../context.ts';
import { positiveInteger, positiveNumber } from '../options.ts';
import { loadSpec, tenantsByName, topicOf } from './shared-local.ts';

interface ProduceFlags {
  tenant: string;
  topic: string;
  file?: string;
  count?: number;
  rate?: number;
  poison?: boolean;
  key?: string;
  brokers?: string[];
  config?: string;
}

export function registerProduce(program: Command, ctx: CliContext): void {
  program
    .command('produce')
    .description(
      "Publish events to a tenant's topic on the local broker: lines of a JSONL file, or generated demo events.",
    )
    .requiredOption('--tenant <name>', 'tenant of the topic')
    .requiredOption('--topic <key>', 'topic key in the manifest (orders) or full name (payments.orders)')
    .option('--file <file>', 'a JSONL file: each non-empty line is one record value, sent as is')
    .option('--count <n>', 'generate this many demo events (default 10 without --file)', positiveInteger)
    .option('--rate <n>', 'records per second (default: as fast as the broker acknowledges)', positiveNumber)
    .option(
      '--poison',
      'mix poison records into generated events (bad JSON, schema violations, handler failures)',
    )
    .option('--key <field>', 'with --file: use this top-level field of each JSON line as the record key')
    .option(
      '--brokers <list>',
      'bootstrap brokers (default: KAFKA_BROKERS, else the local broker)',
      brokerList,
    )
    .option('--config <file>', 'platform config file (default: stratus.config.yaml)')
    .action((flags: ProduceFlags) => produce(flags, ctx));
}

async function produce(flags: ProduceFlags, ctx: CliContext): Promise<void> {
  if (flags.file && flags.count !== undefined)
    throw new UsageError('give either --file or --count, not both');
  if (flags.key && !flags.file) throw new UsageError('--key applies to --file only');
  const spec = loadSpec(ctx, flags.config);
  const [tenant] = tenantsByName(spec, [flags.tenant]);
  const topic = topicOf(tenant!, flags.topic);

  let messages: Iterable<Message>;
  let what: string;
  if (flags.file) {
    messages = fileMessages(path.resolve(ctx.cwd, flags.file), flags.key);
    what = `records from ${flags.file}`;
  } else {
    const generator = generatorFor(topic, Date.now() & 0xffff);
    messages = demoMessages(generator, {
      count: flags.count ?? 10,
      runId: 'produce',
      poison: flags.poison ?? false,
    });
    what = `${generator.description}${flags.poison ? ' with poison' : ''}`;
  }

  const brokers = localBrokers(spec.platform, flags.brokers);
  const kafka = new Kafka({
    clientId: 'stratus-produce',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch {
    throw new CliError(
      `cannot reach Kafka at ${brokers.join(',')}; start it with \`stratus dev\` (or point KAFKA_BROKERS / --brokers at a running broker)`,
    );
  }
  try {
    if (!(await admin.listTopics()).includes(topic.name))
      throw new CliError(
        `topic ${topic.name} does not exist on ${brokers.join(',')}; \`stratus dev\` creates the topics from the manifests`,
      );
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  const started = performance.now();
  try {
    const sent = await publish({ producer, topic: topic.name, messages, rate: flags.rate });
    const seconds = (performance.now() - started) / 1000;
    writeLine(
      ctx.stdout,
      `produced ${sent} ${what} to ${topic.name} in ${seconds.toFixed(1)}s (${Math.round(sent / Math.max(seconds, 0.001))} records/s)`,
    );
  } finally {
    await producer.disconnect();
  }
}

/**
 * Lines of a JSONL file; with `keyField`, each line must be a JSON object and that field becomes the key.
 * Read whole before sending, so a bad line stops the command before anything is produced.
 */
function fileMessages(file: string, keyField: string | undefined): Message[] {
  const messages: Message[] = [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let key: string | null = null;
    if (keyField) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new CliError(`${file}:${index + 1}: not JSON, so it has no field "${keyField}" for --key`);
      }
      const value = (parsed as Record<string, unknown> | null)?.[keyField];
      if (value !== undefined && value !== null) key = String(value);
    }
    messages.push({ key, value: line });
  }
  return messages;
}
