import path from 'node:path';
import type { Command } from 'commander';
import { demoFunctionLog, runDemo } from '../../local/demo/run-demo.ts';
import { formatDemoSummary } from '../../local/demo/summary-text.ts';
import { captureProcessOutput } from '../../local/output-capture.ts';
import type { CliContext } from '../context.ts';
import { positiveInteger, tenantList } from '../options.ts';
import { loadSpec, tenantsByName } from './shared-local.ts';

interface DemoFlags {
  events: number;
  tenants?: string[];
  json?: boolean;
  seed?: number;
  timeout: number;
  config?: string;
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'A finite end-to-end run: start everything, produce N events per source topic (poison records included), wait until every consumer drained, then account for every record. Exit 0 only when nothing is lost or duplicated.',
    )
    .option('--events <n>', 'events per source topic', positiveInteger, 1000)
    .option('--tenants <names>', 'run only these tenants (comma-separated)', tenantList)
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--seed <n>', 'seed of the event generators (same seed, same events)', positiveInteger)
    .option('--timeout <seconds>', 'give up waiting for the consumers after this long', positiveInteger, 300)
    .option('--config <file>', 'platform config file (default: stratus.config.yaml)')
    .action((flags: DemoFlags) => demo(flags, ctx));
}

async function demo(flags: DemoFlags, ctx: CliContext): Promise<void> {
  const spec = loadSpec(ctx, flags.config);
  const tenants = tenantsByName(spec, flags.tenants).map((tenant) => tenant.name);
  const logFile = demoFunctionLog(spec.platform);
  const capture = captureProcessOutput(logFile);
  const out = capture.writerFor(ctx.stdout);
  const err = capture.writerFor(ctx.stderr);
  const started = Date.now();
  // Progress goes to stderr so that `--json` leaves stdout to the summary alone.
  const say = (line: string) => err(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
  try {
    say(`handler logs: ${path.relative(ctx.cwd, logFile)}`);
    const summary = await runDemo({
      spec,
      tenants,
      events: flags.events,
      seed: flags.seed,
      drainTimeoutMs: flags.timeout * 1000,
      functionLog: logFile,
      onProgress: say,
    });
    if (flags.json) out(`${JSON.stringify(summary, null, 2)}\n`);
    else for (const line of formatDemoSummary(summary)) out(`${line}\n`);
    ctx.exitCode = summary.ok ? 0 : 1;
  } finally {
    capture.restore();
  }
}
