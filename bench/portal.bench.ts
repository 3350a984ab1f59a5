/**
 * `npm run bench -- portal`: the portal's front end, measured in Debian's Chromium (playwright-core).
 *  - payload: the bundled script, stylesheet and page, gzipped as the portal serves them (goal < 150 KB);
 *  - first paint of the Overview with 50 generated tenants: from navigation start to the first contentful
 *    paint and to the 50 tenant rows in the page (goal < 1 s), median of 7 cold loads, each in a fresh profile;
 *  - baseline in the same run: the same 50-row table as a static HTML page from a plain node:http server, so
 *    `ratioToStatic` says what the API round trips and the script cost on this (noisy, shared) machine.
 * The portal runs without a broker or runtime (nothing listens on the ports it is given): what is measured is
 * the portal itself, not Kafka. Prints one JSON line.
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../lib/local/process-utils.ts';
import { bundleFrontEnd } from '../lib/portal/bundle.ts';
import { startPortal } from '../lib/portal/index.ts';
import { generatedProject } from '../test/cdk/helpers.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { CHROMIUM } from '../test/support/chromium-install.ts';

const TENANTS = 50;
const RUNS = 7;

if (!existsSync(CHROMIUM)) {
  console.error(`no ${CHROMIUM}: install Debian's chromium package (npm test does, as root)`);
  process.exit(1);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function load(url: string, rowsSelector: string): Promise<{ fcp: number; rows: number }> {
  const browser = await launchBrowser(CHROMIUM);
  try {
    const page = await browser.newPage();
    await page.goto(url);
    // A function, not a string: the portal's Content-Security-Policy forbids the eval a string needs.
    type Doc = { document: { querySelectorAll(selector: string): { length: number } } };
    await page.waitForFunction(
      ([selector, count]) =>
        (globalThis as unknown as Doc).document.querySelectorAll(selector).length === count,
      [rowsSelector, TENANTS] as const,
    );
    const rows = await page.evaluate<number>('performance.now()');
    const fcp = await page.evaluate<number>(
      "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN",
    );
    return { fcp, rows };
  } finally {
    await browser.dispose();
  }
}

const names = Array.from({ length: TENANTS }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
const root = generatedProject({ tenants: names });
const portal = await startPortal({
  rootDir: root,
  port: 0,
  brokers: [`127.0.0.1:${await freePort()}`],
  runtimeUrl: `http://127.0.0.1:${await freePort()}`,
  awsEndpoint: `http://127.0.0.1:${await freePort()}`,
});
const staticPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>static</title></head><body><main><h1>Tenants</h1><table class="overview"><tbody>${names.map((n) => `<tr><th>${n}</th><td>ok</td><td>—</td><td>0.0 s</td><td>0</td></tr>`).join('')}</tbody></table></main></body></html>`;
const baseline = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(staticPage);
});
await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/`;

try {
  const assets = await bundleFrontEnd();
  const gzip = Object.fromEntries([...assets].map(([name, asset]) => [name, asset.gzip.length]));
  const payloadKiB = [...assets.values()].reduce((total, asset) => total + asset.gzip.length, 0) / 1024;
  await load(`${portal.url}/#/`, 'table.overview tbody tr'); // warm the server's caches once
  const portalRuns: Array<{ fcp: number; rows: number }> = [];
  const staticRuns: Array<{ fcp: number; rows: number }> = [];
  for (let run = 0; run < RUNS; run++) {
    portalRuns.push(await load(`${portal.url}/#/`, 'table.overview tbody tr'));
    staticRuns.push(await load(baselineUrl, 'table.overview tbody tr'));
  }
  const overviewMs = median(portalRuns.map((r) => r.rows));
  const staticMs = median(staticRuns.map((r) => r.rows));
  console.log(
    JSON.stringify({
      bench: 'portal',
      tenants: TENANTS,
      runs: RUNS,
      payloadGzipKiB: Number(payloadKiB.toFixed(1)),
      payloadGzipBytes: gzip,
      firstContentfulPaintMs: Math.round(median(portalRuns.map((r) => r.fcp))),
      overviewRowsMs: Math.round(overviewMs),
      staticRowsMs: Math.round(staticMs),
      ratioToStatic: Number((overviewMs / staticMs).toFixed(2)),
      goals: { payloadGzipKiB: 150, overviewRowsMs: 1000 },
      met: payloadKiB < 150 && overviewMs < 1000,
    }),
  );
} finally {
  await portal.stop();
  baseline.close();
  rmSync(root, { recursive: true, force: true });
}
