import path from 'node:path';
import type { Command } from 'commander';
import { type DemoProducer, startDemoProducer } from '../../local/demo-producer.ts';
import { formatStatusLine, formatStatusTable, StatusSampler } from '../../local/dev-status.ts';
import { type DlqWatcher, watchDeadLetters } from '../../local/dlq-watcher.ts';
import { type HotReload, startHotReload } from '../../local/hot-reload/hot-reload.ts';
import { captureProcessOutput } from '../../local/output-capture.ts';
import { type Runtime, RuntimeStartAborted, startRuntime } from '../../local/runtime.ts';
import { resetState, statePaths } from '../../local/state-dir.ts';
import { type Portal, startPortal } from '../../portal/index.ts';
import type { CliContext } from '../context.ts';
import { positiveNumber, tenantList } from '../options.ts';
import { announcePortal } from './portal.ts';
import { loadSpec, tenantsByName } from './shared-local.ts';

interface DevFlags {
  tenants?: string[];
  producer: boolean;
  watch: boolean;
  rate: number;
  reset?: boolean;
  config?: string;
  portal: boolean;
  allowWrites?: boolean;
}

/** A signal this soon after the first is the same Ctrl-C (npm forwards the terminal's SIGINT to us again). */
const SAME_SIGNAL_MS = 1_500;

export function registerDev(program: Command, ctx: CliContext): void {
  program
    .command('dev')
    .description(
      "Run the tenants' pipelines locally: Kafka, the AWS emulator, every consumer and sink, a demo producer, and a live status. Ctrl-C stops everything.",
    )
    .option('--tenants <names>', 'run only these tenants (comma-separated)', tenantList)
    .option('--no-producer', 'do not produce demo events (publish your own with `stratus produce`)')
    .option('--rate <n>', 'demo events per second per source topic', positiveNumber, 5)
    .option(
      '--reset',
      'wipe the local state first (Kafka topics and offsets, S3 objects, DynamoDB items, the Glue catalog) and say what was wiped',
    )
    .option('--no-watch', 'no hot reload of manifests, schemas and handlers')
    .option('--no-portal', 'do not serve the web portal (on local.portalPort)')
    .option('--allow-writes', 'let the portal onboard (write files), redrive dead letters and replay')
    .option('--config <file>', 'platform config file (default: stratus.config.yaml)')
    .action((flags: DevFlags) => dev(flags, ctx));
}

async function dev(flags: DevFlags, ctx: CliContext): Promise<void> {
  const spec = loadSpec(ctx, flags.config);
  const tenants = tenantsByName(spec, flags.tenants);
  const paths = statePaths(spec.platform);
  if (flags.reset) reset(spec.platform, ctx);
  const logFile = path.join(paths.logDir, 'functions.log');
  // Handler output goes to the log file; its EMF lines also feed the metrics server.
  let feed: ((line: string) => void) | undefined;
  const capture = captureProcessOutput(logFile, (line) => feed?.(line));
  const out = capture.writerFor(ctx.stdout);
  const tty = (ctx.stdout as NodeJS.WriteStream).isTTY === true;
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
  const say = (line: string) => out(`[${elapsed().padStart(5)}s] ${line}\n`);

  // A message while the table is drawn goes above it: clear the table, print, and let the next tick redraw.
  let drawn = 0;
  const announce = (line: string) => {
    if (tty && drawn > 0) out(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
    say(line);
  };

  // Ctrl-C during start-up is honoured at once: the runtime gives up the starts under way (the broker's JVM,
  // the stores) and stops whatever it started. A second Ctrl-C (not the copy npm forwards) stops at once:
  // nothing is committed that was not delivered, so nothing is lost.
  const startup = new AbortController();
  let runtime: Runtime | undefined;
  let stopRequested = false;
  let firstSignalAt = 0;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      if (Date.now() - firstSignalAt < SAME_SIGNAL_MS) return;
      say(`${signal} again: stopping now; what was not delivered stays uncommitted in Kafka`);
      capture.restore();
      process.exit(130);
    }
    stopRequested = true;
    firstSignalAt = Date.now();
    if (!runtime) say(`${signal} during start-up: giving up the start, stopping what has started …`);
    startup.abort();
    wake();
  };
  // SIGHUP: the terminal went away; stop as cleanly as for Ctrl-C (and never die of writing to it).
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  const ignore = () => {};
  process.stdout.on('error', ignore);

  let producer: DemoProducer | undefined;
  // Started as soon as the topics exist: its first records are waiting when the consumers have joined.
  let producerStarting: Promise<DemoProducer | undefined> | undefined;
  let producerStopped: Promise<void> | undefined;
  /** Once, first of all here or by the runtime when its start failed after the topics. */
  const stopProducer = () => {
    producerStopped ??= (async () => {
      const started = await producerStarting;
      await started
        ?.stop()
        .catch((error: Error) => say(`demo producer did not stop cleanly: ${error.message}`));
    })();
    return producerStopped;
  };
  let dlq: DlqWatcher | undefined;
  let reload: HotReload | undefined;
  let portal: Portal | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    say(
      `starting ${tenants.map((t) => t.name).join(', ')} (state in ${path.relative(ctx.cwd, paths.root) || '.'}/, handler logs in ${path.relative(ctx.cwd, logFile)})`,
    );
    let firstRecord = false;
    runtime = await startRuntime({
      spec,
      tenants: tenants.map((t) => t.name),
      signal: startup.signal,
      onProgress: say,
      onTopicsReady: (kafka, running) => {
        if (!flags.producer) return undefined;
        producerStarting = startDemoProducer(kafka, running, {
          rate: flags.rate,
          onError: (error) => say(`demo producer: ${error.message}`),
        }).then(
          (started) => {
            say(
              `demo producer: ${flags.rate} events/s to ${started.topics.join(', ')} (--no-producer turns it off)`,
            );
            for (const why of started.unsatisfied)
              say(
                `demo producer: cannot make an event the schema accepts for ${why}; the SDK will dead-letter them — publish your own with \`stratus produce\``,
              );
            return started;
          },
          (error: Error) => {
            say(`demo producer not started: ${error.message}`);
            return undefined;
          },
        );
        // The runtime stops it before the broker when its start fails or is given up.
        return { stop: stopProducer };
      },
      // The moment the first invocation with records succeeds: its outputs are on their topic.
      observerFor: () => ({
        onInvocation: (info) => {
          if (firstRecord || !info.ok || info.records === 0) return;
          firstRecord = true;
          announce(`first record delivered ${elapsed()}s after start`);
        },
      }),
    });
    feed = runtime.handlerOutput;
    if (stopRequested) return;
    dlq = await watchDeadLetters(runtime.kafka, runtime.tenants);
    producer = await producerStarting;
    if (flags.watch)
      reload = startHotReload({
        runtime,
        rootDir: ctx.cwd,
        configFile: flags.config,
        tenants: flags.tenants,
        say: announce,
      });
    if (flags.portal) {
      // The portal is a window on the run: a port clash is reported, not fatal.
      portal = await startPortal({
        rootDir: ctx.cwd,
        configFile: flags.config,
        port: spec.platform.local.portalPort,
        allowWrites: flags.allowWrites,
        runtimeUrl: runtime.metricsUrl,
        brokers: runtime.brokers,
        awsEndpoint: runtime.awsEndpoint,
      }).catch((error: Error) => {
        say(`portal not started: ${error.message}`);
        return undefined;
      });
      if (portal) say(announcePortal(portal, flags.allowWrites ?? false));
    }
    say(
      `ready in ${elapsed()}s${reload ? '; watching manifests, schemas and handlers' : ''}; Ctrl-C stops everything`,
    );

    const admin = runtime.kafka.admin();
    await admin.connect();
    const sampler = new StatusSampler(admin, runtime.consumers, dlq);
    let ticks = 0;
    const tick = async () => {
      const rows = await sampler.sample();
      if (tty) {
        const lines = formatStatusTable(
          rows,
          `stratus dev · ${elapsed()}s · ${producer ? `${producer.sent()} produced` : 'no demo producer'} · Ctrl-C to stop`,
        );
        // Redraw in place: up over the previous table, clear to the end of the screen.
        out(`${drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
      } else if (ticks++ % 10 === 0) {
        say(formatStatusLine(rows));
      }
    };
    const loop = () => {
      timer = setTimeout(() => {
        tick()
          .catch((error: Error) => say(`status: ${error.message}`))
          .finally(() => {
            if (!stopRequested) loop();
          });
      }, 1000);
    };
    loop();
    await stopped;
    clearTimeout(timer);
    await admin.disconnect().catch(() => {});
  } catch (error) {
    // Stopped during start-up: what had started is stopped already; that is the stop asked for, not a failure.
    if (!(error instanceof RuntimeStartAborted)) throw error;
  } finally {
    clearTimeout(timer);
    if (stopRequested && runtime) say('stopping: demo producer, consumers, sinks, AWS emulator, Kafka …');
    await stopProducer();
    await reload?.stop();
    await portal?.stop();
    await dlq?.stop();
    await runtime?.stop();
    for (const signal of signals) process.off(signal, onSignal);
    process.stdout.off('error', ignore);
    if (runtime || stopRequested)
      say(
        `stopped.${stopRequested ? ` (${((Date.now() - firstSignalAt) / 1000).toFixed(1)} s after the signal)` : ''}`,
      );
    capture.restore();
  }
}

/** `--reset`: wipes the state directory's data and says what it wiped; never asks, the flag is the intent. */
function reset(platform: Parameters<typeof resetState>[0], ctx: CliContext): void {
  const { wiped, kept } = resetState(platform);
  const shown = (file: string) => path.relative(ctx.cwd, file) || file;
  if (wiped.length === 0) ctx.stdout.write('reset: no local state to wipe\n');
  for (const part of wiped)
    ctx.stdout.write(`reset: wiped ${shown(part.path)}/ (${part.what}; ${formatBytes(part.bytes)})\n`);
  if (kept.length > 0)
    ctx.stdout.write(`reset: kept ${kept.map((dir) => `${shown(dir)}/`).join(', ')} (logs)\n`);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
