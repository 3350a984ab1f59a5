import { type Command, Option } from 'commander';
import { PROJECT_LAYOUT } from '../../manifest/project-layout.ts';
import { applyChanges, ScaffoldValidationError, validateChanges } from '../../scaffold/apply.ts';
import { unifiedDiff } from '../../scaffold/diff.ts';
import {
  newConsumer,
  newSink,
  newTenant,
  newTopic,
  ScaffoldConflictError,
  ScaffoldInputError,
} from '../../scaffold/operations.ts';
import { ScaffoldProject } from '../../scaffold/project.ts';
import { type CliContext, CliError, UsageError, writeLine } from '../context.ts';
import { positiveInteger } from '../options.ts';

interface CommonFlags {
  dryRun?: boolean;
  config?: string;
}

function withCommon(command: Command): Command {
  return command
    .option('--dry-run', 'print the changes as a diff and write nothing')
    .option('--config <file>', 'platform config file (default: stratus.config.yaml)');
}

/** Plans with `plan`, then prints the diff (--dry-run) or validates and writes, and says what comes next. */
function scaffold(
  ctx: CliContext,
  flags: CommonFlags,
  plan: (project: ScaffoldProject) => void,
  next: string[],
): void {
  const project = new ScaffoldProject(ctx.cwd, flags.config);
  try {
    plan(project);
    const changes = project.planned();
    // The handler it writes imports the SDK by a relative path: without it, nothing it writes would run.
    if (changes.some((change) => change.file.startsWith('functions/')) && !project.exists(PROJECT_LAYOUT.sdk))
      throw new CliError(
        `${PROJECT_LAYOUT.sdk} is not in ${ctx.cwd}, and the handler this writes imports the handler SDK from there: run stratus new in a checkout of the Stratus repository, after npm install there (docs/getting-started.md). Nothing was written.`,
      );
    for (const note of project.notes) writeLine(ctx.stderr, `note: ${note}`);
    if (flags.dryRun) {
      for (const change of changes)
        writeLine(ctx.stdout, unifiedDiff(change.file, change.before, change.after));
      const problems = validateChanges(ctx.cwd, flags.config, changes);
      if (problems.length > 0) throw new ScaffoldValidationError(problems);
      writeLine(
        ctx.stdout,
        `dry run: ${changes.length} file(s) would change; the result validates. Nothing was written.`,
      );
      return;
    }
    applyChanges(ctx.cwd, flags.config, changes);
    for (const change of changes)
      writeLine(ctx.stdout, `${change.before === undefined ? 'created' : 'edited '} ${change.file}`);
  } catch (error) {
    if (error instanceof ScaffoldInputError) throw new UsageError(error.message);
    if (error instanceof ScaffoldConflictError || error instanceof ScaffoldValidationError)
      throw new CliError(error.message);
    throw error;
  }
  writeLine(ctx.stdout, 'next:');
  for (const line of next) writeLine(ctx.stdout, `  ${line}`);
}

const testCommand = (tenant: string) => `npm run test:unit -- test/unit/tenants/${tenant}`;

export function registerNew(program: Command, ctx: CliContext): void {
  const create = program
    .command('new')
    .description(
      'Scaffold a tenant, topic, consumer or sink: edits the manifest in place (comments and layout kept) and writes a JSON Schema, a typed handler and its test. Never overwrites; --dry-run shows the diff.',
    );

  withCommon(create.command('tenant'))
    .description('A new tenant manifest with one topic (and its schema) and one consumer (handler and test).')
    .argument('<name>', 'tenant name: 2–31 characters, lower-case letters, digits and "-"')
    .option('--owner <email>', 'owner e-mail (governance.requireOwners)', 'team@example.com')
    .option('--cost-center <code>', 'cost center (governance.requireCostCenter)', 'cc-0000')
    .option('--topic <key>', 'key of the first topic', 'events')
    .option('--consumer <key>', 'key of the first consumer (default: handle-<topic>)')
    .action(
      (
        name: string,
        flags: CommonFlags & { owner: string; costCenter: string; topic: string; consumer?: string },
      ) =>
        scaffold(
          ctx,
          flags,
          (project) =>
            newTenant(project, {
              name,
              owner: flags.owner,
              costCenter: flags.costCenter,
              topic: flags.topic,
              consumer: flags.consumer,
            }),
          ['npx stratus validate', testCommand(name), `npx stratus dev --tenants ${name}`],
        ),
    );

  withCommon(create.command('topic'))
    .description("Add a topic to a tenant's manifest, with a JSON Schema skeleton.")
    .argument('<tenant>', 'tenant whose manifest to edit')
    .argument('<name>', 'topic key (the topic on the cluster is <tenant>.<name>)')
    .option('--partitions <n>', 'partitions', positiveInteger, 3)
    .option('--retention <duration>', 'retention, e.g. 7d, 12h', '7d')
    .option('--no-schema', 'no JSON Schema (values are parsed as JSON and not validated)')
    .action(
      (
        tenant: string,
        name: string,
        flags: CommonFlags & { partitions: number; retention: string; schema: boolean },
      ) =>
        scaffold(
          ctx,
          flags,
          (project) =>
            newTopic(project, {
              tenant,
              name,
              partitions: flags.partitions,
              retention: flags.retention,
              schema: flags.schema,
            }),
          [`edit ${PROJECT_LAYOUT.schema(tenant, name)} to describe the records`, 'npx stratus validate'],
        ),
    );

  withCommon(create.command('consumer'))
    .description('Add a consumer (or, with --output, a processor) with a typed handler and its test.')
    .argument('<tenant>', 'tenant whose manifest to edit')
    .argument('<name>', 'consumer key (its consumer group is <tenant>.<name>)')
    .requiredOption('--topic <key>', 'the topic it reads (a topic key of the manifest)')
    .option('--output <key>', 'makes it a processor writing to this topic (created with a schema if missing)')
    .action((tenant: string, name: string, flags: CommonFlags & { topic: string; output?: string }) =>
      scaffold(
        ctx,
        flags,
        (project) => newConsumer(project, { tenant, name, topic: flags.topic, output: flags.output }),
        [
          `write the logic in ${PROJECT_LAYOUT.handler(tenant, name)}`,
          testCommand(tenant),
          `npx stratus invoke --tenant ${tenant} --consumer ${name} --event <(npx stratus event --tenant ${tenant} --topic ${flags.topic})`,
        ],
      ),
    );

  withCommon(create.command('sink'))
    .description('Add a sink: a topic delivered to an Iceberg table, or Parquet or JSON objects on S3.')
    .argument('<tenant>', 'tenant whose manifest to edit')
    .argument('<name>', 'sink key')
    .requiredOption('--topic <key>', 'the topic it delivers (a topic key of the manifest)')
    .addOption(
      new Option('--format <format>', 'what it writes')
        .choices(['iceberg', 'parquet', 'json'])
        .default('iceberg'),
    )
    .action(
      (
        tenant: string,
        name: string,
        flags: CommonFlags & { topic: string; format: 'iceberg' | 'parquet' | 'json' },
      ) =>
        scaffold(
          ctx,
          flags,
          (project) => newSink(project, { tenant, name, topic: flags.topic, format: flags.format }),
          ['npx stratus validate', `npx stratus dev --tenants ${tenant}`],
        ),
    );
}
