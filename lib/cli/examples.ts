/**
 * One example or more per command, shown at the end of `stratus <command> --help`. The docs test checks that
 * every command has one and that each parses (every flag shown is one the command knows).
 */
import type { Command } from 'commander';

export const COMMAND_EXAMPLES: Record<string, string[]> = {
  validate: ['stratus validate', 'stratus validate --tenants payments --json'],
  replay: [
    'stratus replay --tenant payments --consumer enrich-orders --from 2026-11-30T10:00:00Z --dry-run',
    'stratus replay --tenant payments --consumer enrich-orders --from 2026-11-30T10:00:00Z --to 2026-11-30T11:00:00Z --into try-fix --yes',
  ],
  dev: ['stratus dev', 'stratus dev --tenants payments --no-producer'],
  produce: [
    'stratus produce --tenant payments --topic orders --count 100 --poison',
    'stratus produce --tenant payments --topic orders --file orders.jsonl --key orderId',
  ],
  demo: ['stratus demo --events 2000', 'stratus demo --tenants clickstream --events 500 --json'],
  dlq: ['stratus dlq list --tenant payments --verbose', 'stratus dlq show 0:5 --tenant payments'],
  'dlq list': [
    'stratus dlq list --tenant payments --filter reason=RETRIES_EXHAUSTED --verbose',
    'stratus dlq list --tenant payments --aws --brokers b-1.example:9098 --kafka-auth iam --verbose',
  ],
  'dlq show': ['stratus dlq show 0:5 --tenant payments', 'stratus dlq show payments.dlq/0/5 --aws'],
  'dlq redrive': ['stratus dlq redrive --tenant payments --filter error=UnknownCurrencyError --dry-run'],
  lag: ['stratus lag --tenant payments', 'stratus lag --partitions --interval 5'],
  new: ['stratus new tenant acme', 'stratus new consumer acme enrich --topic events --output enriched'],
  'new tenant': ['stratus new tenant acme --owner acme-oncall@example.com --cost-center cc-4711 --dry-run'],
  'new topic': ['stratus new topic acme refunds --partitions 6 --retention 14d'],
  'new consumer': [
    'stratus new consumer acme audit --topic events',
    'stratus new consumer acme enrich --topic events --output enriched',
  ],
  'new sink': ['stratus new sink acme events-lake --topic events --format iceberg'],
  invoke: [
    'stratus invoke --tenant payments --consumer enrich-orders --event event.json',
    'stratus invoke --tenant payments --consumer enrich-orders --records orders.jsonl --json',
    'stratus invoke --tenant payments --consumer enrich-orders --from-topic --offset 2:15 --produce',
  ],
  portal: ['stratus portal', 'stratus portal --allow-writes --port 8080', 'stratus portal --host 0.0.0.0'],
  schema: ['stratus schema check', 'stratus schema check --against origin/main --json'],
  'schema check': [
    'stratus schema check --against HEAD~1 --tenants payments',
    'stratus schema check --against-registry',
  ],
  lineage: [
    'stratus lineage --format mermaid',
    'stratus lineage --tenant payments --format openlineage --post http://localhost:5000/api/v1/lineage',
    'stratus lineage --observed --sample 500',
  ],
  catalog: [
    'stratus catalog --format asyncapi --tenant payments',
    'stratus catalog --format backstage --out catalog/',
  ],
  event: ['stratus event --tenant payments --topic orders --count 5 --poison > event.json'],
};

/** The command's path below `stratus`, e.g. `dlq list`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent)
    names.unshift(current.name());
  return names.join(' ');
}

export function allCommands(program: Command): Command[] {
  return program.commands.flatMap((command) => [command, ...allCommands(command)]);
}

export function addExamples(program: Command): void {
  for (const command of allCommands(program)) {
    const examples = COMMAND_EXAMPLES[commandPath(command)];
    if (!examples) continue;
    command.addHelpText(
      'after',
      `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`,
    );
  }
}
