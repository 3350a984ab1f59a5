/**
 * `npm run chaos`: the full chaos suite (20 kills of `stratus dev`, the broker and the AWS stores killed
 * mid-stream, a one-minute poison storm); `npm run chaos -- short` is the version `npm test` runs;
 * `npm run chaos -- soak [minutes]` is the 30-minute soak. Prints the figures as one JSON line; exits 1 when
 * a record was lost, a table holds a key twice, a valid record was dead-lettered or a process was left behind.
 */
import { runChaos } from './chaos.ts';
import { CHAOS_PROFILES, chaosVerdict } from './profiles.ts';
import { runSoak } from './soak.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const [mode = 'full', arg] = process.argv.slice(2);
const say = (line: string) => process.stderr.write(`[chaos] ${line}\n`);
// Stopped from outside: exit through the 'exit' handlers, which kill the `stratus dev` this run started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

if (mode === 'soak') {
  const figures = await runSoak({ minutes: Number(arg ?? 30), rate: 20, say });
  process.stdout.write(`${JSON.stringify({ suite: 'soak', ...figures })}\n`);
  process.exitCode = figures.account.lost === 0 && figures.account.duplicateRows === 0 ? 0 : 1;
} else {
  const profile = CHAOS_PROFILES[mode as keyof typeof CHAOS_PROFILES];
  if (!profile) {
    say(`unknown mode "${mode}"; use full, short or soak`);
    process.exit(2);
  }
  const figures = await runChaos({ ...profile, seed: arg ? Number(arg) : undefined, say });
  process.stdout.write(`${JSON.stringify({ suite: `chaos-${mode}`, ...figures })}\n`);
  const problems = chaosVerdict(figures);
  for (const problem of problems) say(`✗ ${problem}`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
// Clients of a broker that is gone may keep timers alive; the run is over.
setTimeout(() => process.exit(), 1_000).unref();
