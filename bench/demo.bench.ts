/**
 * `stratus demo --events N` for the example tenants, run as a user runs it (the CLI in a fresh project with its
 * own broker and emulator): seconds until every consumer had drained its topic, read from the demo's own JSON
 * summary (`drainMs`: from the first produced record until every consumer group committed its topic's end,
 * the chain's downstream consumers included), next to the whole command's wall time (broker and emulator
 * start, producing, draining, the sinks' and consumers' accounting, shutdown). The run must account for every
 * record (no loss, no duplicate), or the figure is not printed and the benchmark fails.
 *
 * BENCH_EVENTS (default 10000) events per source topic, BENCH_ROUNDS (default 1) runs; medians are printed.
 * The issue's goal: under 30 s of draining for 10k events.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { DemoSummary } from '../lib/local/demo/run-demo.ts';
import { ownServicesEnv, REPO_ROOT, scratchProject } from './scratch-project.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const log = (line: string) => process.stderr.write(`# ${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function runDemo(projectDir: string): Promise<{ summary: DemoSummary; wallSeconds: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin/stratus-cli.mjs'),
      'demo',
      '--events',
      String(EVENTS),
      '--json',
      '--timeout',
      '1800',
    ],
    { cwd: projectDir, env: ownServicesEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    // The demo's progress lines, for whoever watches the run.
    for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const wallSeconds = (performance.now() - started) / 1000;
  let summary: DemoSummary;
  try {
    summary = JSON.parse(stdout) as DemoSummary;
  } catch {
    throw new Error(`stratus demo exited ${code} without a JSON summary:\n${stderr.slice(-3000)}`);
  }
  if (!summary.ok)
    throw new Error(
      `stratus demo did not account for every record (lost ${summary.lost}, duplicates ${summary.duplicates}${summary.error ? `, ${summary.error}` : ''})`,
    );
  return { summary, wallSeconds };
}

async function main() {
  const runs: Array<{ drainSeconds: number; durationSeconds: number; wallSeconds: number; settled: number }> =
    [];
  for (let round = 0; round < ROUNDS; round++) {
    const dir = await scratchProject('stratus-bench-demo-');
    try {
      const { summary, wallSeconds } = await runDemo(dir);
      // Records each consumer settled (its input), summed over the consumers: what the pipeline processed.
      const settled = summary.tenants.flatMap((t) => t.consumers).reduce((sum, c) => sum + c.input, 0);
      runs.push({
        drainSeconds: summary.drainMs / 1000,
        durationSeconds: summary.durationMs / 1000,
        wallSeconds,
        settled,
      });
      log(
        `round ${round + 1}: drained in ${(summary.drainMs / 1000).toFixed(1)} s (${settled} records settled by ${summary.tenants.flatMap((t) => t.consumers).length} consumers), command ${wallSeconds.toFixed(1)} s`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const drainSeconds = median(runs.map((r) => r.drainSeconds));
  const figures = {
    bench: 'demo',
    eventsPerSourceTopic: EVENTS,
    rounds: ROUNDS,
    recordsSettled: runs[0]!.settled,
    drainSeconds: Number(drainSeconds.toFixed(1)),
    drainRecordsPerSecond: Math.round(runs[0]!.settled / drainSeconds),
    demoDurationSeconds: Number(median(runs.map((r) => r.durationSeconds)).toFixed(1)),
    commandSeconds: Number(median(runs.map((r) => r.wallSeconds)).toFixed(1)),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

await main();
