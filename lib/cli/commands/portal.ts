import type { Command } from 'commander';
import { type Portal, startPortal } from '../../portal/index.ts';
import { type CliContext, UsageError, writeLine } from '../context.ts';
import { loadSpec } from './shared-local.ts';

interface PortalFlags {
  port?: number;
  host: string;
  allowWrites?: boolean;
  runtimeUrl?: string;
  config?: string;
}

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port "${value}" is not a port number (0–65535; 0 picks a free one)`);
  return port;
}

export function registerPortal(program: Command, ctx: CliContext): void {
  program
    .command('portal')
    .description(
      "A web UI for teams and the platform team: every tenant's pipelines live, lag over time, lineage, dead letters (redrive), replay, and onboarding validated as you type. Read-only unless --allow-writes; Ctrl-C stops it.",
    )
    .option('--port <n>', 'port to listen on (default: local.portalPort, 9465)', portNumber)
    .option(
      '--host <address>',
      'interface to listen on; anything but loopback requires the token printed at start for every request',
      '127.0.0.1',
    )
    .option('--allow-writes', 'let the portal write onboarding changes, redrive dead letters and replay')
    .option(
      '--runtime-url <url>',
      'the running `stratus dev` metrics server (default: from local.metricsPort)',
    )
    .option('--config <file>', 'platform config file (default: stratus.config.yaml)')
    .action((flags: PortalFlags) => portal(flags, ctx));
}

async function portal(flags: PortalFlags, ctx: CliContext): Promise<void> {
  const spec = loadSpec(ctx, flags.config);
  const running = await startPortal({
    rootDir: ctx.cwd,
    configFile: flags.config,
    port: flags.port ?? spec.platform.local.portalPort,
    host: flags.host,
    allowWrites: flags.allowWrites,
    runtimeUrl: flags.runtimeUrl,
  });
  writeLine(ctx.stdout, announcePortal(running, flags.allowWrites ?? false));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
  });
  await running.stop();
  writeLine(ctx.stdout, 'portal stopped.');
}

/** The one line that says where the portal is; the token is printed here and nowhere else. */
export function announcePortal(portal: Portal, writes: boolean): string {
  return `portal on ${portal.url}/ — sign in (needed for changes, and for everything beyond localhost): ${portal.loginUrl} (${writes ? 'writes allowed' : 'read-only; --allow-writes lets it onboard, redrive and replay'})`;
}
