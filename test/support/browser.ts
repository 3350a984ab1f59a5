/**
 * A real browser for the portal tests: Debian's `chromium` package, driven by playwright-core. The test run's
 * global setup installs the package when it is missing and the run may (root with apt-get, as CI is); where it
 * cannot, the browser tests are skipped with the reason. The launch flags keep Chromium off the network (this
 * machine's closed network refuses its background connections) and every launch gets a fresh profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the Chromium executable, or why there is none. */
    chromium: { path: string } | { skip: string };
  }
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The run's Chromium, or undefined with the reason printed once per file. */
export function chromiumForTests(): string | undefined {
  const found = inject('chromium');
  if ('path' in found) return found.path;
  console.warn(`[browser tests skipped] ${found.skip}`);
  return undefined;
}

/** A headless Chromium with a fresh profile; `close()` removes the profile too. */
export async function launchBrowser(
  executablePath: string,
  options: { viewport?: { width: number; height: number }; isMobile?: boolean } = {},
): Promise<BrowserContext & { dispose(): Promise<void> }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'stratus-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: options.viewport ?? { width: 1280, height: 860 },
    isMobile: options.isMobile,
    hasTouch: options.isMobile,
    acceptDownloads: true,
  });
  return Object.assign(context, {
    async dispose() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  });
}
