// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a person sees, which is what these tests check
/**
 * The portal in a real browser (Debian's Chromium, driven by playwright-core) against a running `stratus dev`
 * of an invented project (./project.ts) on the shared broker and emulator. Each page is checked for what a person
 * sees — the tenant list, a lag that changes while records flow, a dead letter's decoded value, a redrive that
 * empties the selection, a replay's plan and progress, a live validation error, a tenant onboarded from the form
 * and started by hot reload — and by axe-core for serious accessibility violations. Screenshots go to
 * docs/img/ for the README and docs/portal.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName } from '../../../lib/core/naming.ts';
import { waitFor } from '../../../lib/local/process-utils.ts';
import { chromiumForTests, launchBrowser } from '../../support/browser.ts';
import { testServices } from '../../support/services.ts';
import { seriousViolations } from './axe.ts';
import { type PortalProject, portalProject, REPO } from './project.ts';

const chromium = chromiumForTests();
const SHOTS = path.join(REPO, 'docs/img');

describe.skipIf(!chromium)('the portal in a browser', () => {
  let project: PortalProject;
  let child: ChildProcess;
  let output = '';
  let loginUrl = '';
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  // The machine running these tests is shared and loaded: give every poll the time a slow page needs (vitest's
  // default is 1 s). A poll that still fails after this is a real failure, not a slow one.
  const poll = <T>(read: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
    expect.poll(read, { timeout: 20_000, interval: 250, ...options });
  const seen = (pattern: RegExp, timeout = 150_000) => poll(() => output, { timeout }).toMatch(pattern);
  const produce = async (tenant: string, topic: string, values: object[]) => {
    const producer = testServices().kafka('portal-test').producer();
    await producer.connect();
    await producer.send({
      topic: topicName(tenant, topic),
      messages: values.map((value, i) => ({ key: `k${i % 7}`, value: JSON.stringify(value) })),
    });
    await producer.disconnect();
  };
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SHOTS, `portal-${name}.png`), fullPage: true });
  const accessible = async () => expect(await seriousViolations(page)).toEqual([]);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    project = await portalProject();
    const { brokers, awsEndpoint } = testServices();
    child = spawn(
      process.execPath,
      [path.join(REPO, 'bin/stratus-cli.mjs'), 'dev', '--no-producer', '--allow-writes'],
      {
        cwd: project.rootDir,
        env: { ...process.env, KAFKA_BROKERS: brokers.join(','), AWS_ENDPOINT_URL: awsEndpoint },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor('stratus dev ready', async () => /ready in [\d.]+s/.test(output), {
      timeoutMs: 180_000,
      abortIf: () => (child.exitCode === null ? undefined : `stratus dev exited:\n${output}`),
    });
    loginUrl =
      /sign in \(needed for changes[^)]*\): (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output)?.[1] ??
      '';
    expect(loginUrl).toContain(`:${project.portalPort}/`);
    browser = await launchBrowser(chromium!);
    page = await browser.newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.dispose();
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', () => resolve(clearTimeout(timer)));
      });
    }
    project?.remove();
  });

  it('overview: lists every tenant with its health, live', async () => {
    // Opening the printed URL signs the browser in (the token becomes a cookie and leaves the address bar).
    await page.goto(loginUrl);
    expect(page.url()).not.toContain('token=');
    const table = page.getByRole('table');
    await poll(() => table.getByRole('rowheader').allInnerTexts()).toEqual(
      expect.arrayContaining([
        expect.stringContaining(project.billing),
        expect.stringContaining(project.fleet),
      ]),
    );
    await poll(() => page.getByRole('status').first().innerText()).toMatch(
      /2 tenants.*live from stratus dev/,
    );
    await page.getByLabel('Filter by name, owner or cost center').fill('cc-3100');
    await poll(() => table.getByRole('rowheader').allInnerTexts()).toEqual([
      expect.stringContaining(project.billing),
    ]);
    await page.getByLabel('Filter by name, owner or cost center').fill('');
    await accessible();
  }, 120_000);

  it('tenant: shows a lag that changes while records flow, the lineage graph and the sink', async () => {
    const now = Date.now();
    await produce(
      project.fleet,
      'positions',
      Array.from({ length: 400 }, (_, i) => ({
        vehicle: `truck-${i % 12}`,
        speed: i % 100 === 7 ? -1 : 40 + (i % 70),
        at: new Date(now + i).toISOString(),
      })),
    );
    await page.goto(`${loginUrl.replace(/\?token=.*/, '')}#/t/${project.fleet}`);
    const audit = page.getByRole('article', { name: /^audit/ });
    const lag = audit.locator('dt:text-is("Offset lag") + dd');
    await poll(() => lag.innerText(), { timeout: 60_000 }).toMatch(/^[1-9][\d,]*$/);
    const first = await lag.innerText();
    // The audit consumer takes 40 ms a record: the runtime's next lag samples show it draining.
    await poll(() => lag.innerText(), { timeout: 60_000, interval: 500 }).not.toBe(first);
    expect(await audit.getByRole('figure').innerText()).toMatch(/offset lag [\d,]+ records/);
    // The lineage graph: nodes are links, in the tab order; the shared topic's reader belongs to billing.
    const graph = page.getByRole('group', { name: /^Lineage of/ });
    await poll(() => graph.getByRole('link').count()).toBeGreaterThan(6);
    await graph.getByRole('link', { name: /^consumer invoice.*tenant / }).waitFor();
    await graph.getByRole('link', { name: 'consumer geofence (processor)' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate("document.activeElement?.getAttribute('aria-labelledby')")).toBe(
      `consumer-${project.fleet}.geofence`,
    );
    // The sink's sample rows, read from the Iceberg table by pyiceberg (not by the sink's code): speeding alerts.
    const sink = page.getByRole('article', { name: /^alerts-lake/ });
    const sampleButton = sink.getByRole('button', { name: 'Show sample rows' });
    await poll(
      async () => {
        await sampleButton.click();
        await sampleButton.waitFor({ timeout: 60_000 }); // back from 'Reading the table…'
        return sink.innerText();
      },
      { timeout: 120_000, interval: 2_000 },
    ).toMatch(/[1-9][\d,]* rows in the table; the first [1-9]\d*, read by pyiceberg/);
    const sample = await sink.locator('.sample').innerText();
    expect(sample).toMatch(/Schema: .*vehicle: string/);
    expect(sample).toMatch(/truck-\d+/);
    await shot('tenant');
    await accessible();
  }, 240_000);

  it('dlq: decodes a dead letter, and a confirmed redrive empties the selection', async () => {
    await page.goto(`${loginUrl.replace(/\?token=.*/, '')}#/t/${project.fleet}/dlq`);
    const rows = page.getByRole('table').getByRole('row');
    // 400 records with a negative speed every 100: four dead letters.
    await poll(() => rows.count(), { timeout: 60_000 }).toBe(5);
    await page.getByRole('table').getByRole('button').first().click();
    const value = page.locator('pre.value');
    await poll(() => value.innerText()).toMatch(/"speed": -1/);
    expect(await value.innerText()).toMatch(/"vehicle": "truck-(3|7|11)"/); // i % 12 of i = 7, 107, 207, 307
    await poll(() => page.getByRole('region', { name: /^Dead letter/ }).innerText()).toMatch(
      /RangeError|BatchItemFailure/,
    );
    await shot('dlq');
    await accessible();

    writeFileSync(project.fixFile, 'deployed\n'); // the fix is out: the redriven records will pass
    await page.getByRole('button', { name: /^Preview redrive of 4 selected/ }).click();
    await poll(() => page.locator('.preview').innerText()).toMatch(/Dry run: would redrive 4; 0 would stay/);
    await page.getByRole('button', { name: 'Confirm redrive of 4 records' }).click();
    await poll(() => page.getByText(/^Redrove 4 records/).count()).toBe(1);
    await poll(() => page.getByText('The selection is empty').count()).toBe(1);
  }, 180_000);

  it('replay: shows the per-partition plan, and after confirmation the progress', async () => {
    await page.goto(`${loginUrl.replace(/\?token=.*/, '')}#/t/${project.fleet}/replay`);
    await page.getByLabel('Consumer').selectOption('geofence');
    const from = new Date(Date.now() - 30 * 60_000);
    const local = new Date(from.getTime() - from.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('Replay records from (local time)').fill(local);
    await page.getByRole('button', { name: 'Show the plan (dry run)' }).click();
    const plan = page.getByRole('region', { name: /^Plan for/ });
    await poll(() => plan.innerText(), { timeout: 30_000 }).toMatch(/[\d,]+ records will be processed again/);
    await page.getByRole('button', { name: /^Confirm replay of/ }).click();
    const progress = page.getByRole('region', { name: 'Progress' });
    await poll(() => progress.innerText(), { timeout: 60_000 }).toMatch(
      /Records processed again: [\d,]+ of [\d,]+/,
    );
    await poll(() => progress.innerText(), { timeout: 60_000 }).toMatch(/Replay finished/);
    await shot('replay');
    await accessible();
  }, 240_000);

  it('onboard: validates as you type, writes a new tenant that stratus dev starts, and shows it running', async () => {
    await page.goto(`${loginUrl.replace(/\?token=.*/, '')}#/onboard?tenant=${project.fleet}`);
    await page.getByLabel('Name', { exact: true }).pressSequentially('Speed_Zones');
    const name = page.getByLabel('Name', { exact: true });
    await poll(() => name.getAttribute('aria-invalid')).toBe('true');
    const error = page.locator('#error-name');
    await poll(() => error.innerText()).toMatch(/topic name "Speed_Zones" must be 1–48 characters/);
    await shot('onboard');
    await accessible();

    await page.getByLabel('a tenant').check();
    const tenant = `ledger-${project.fleet.slice(-8)}`;
    await page.getByLabel('Tenant name').fill(tenant);
    await page.getByLabel('Owner e-mail').fill('ledger@example.com');
    await page.getByLabel('Cost center').fill('cc-9000');
    await poll(() => page.getByRole('status').innerText()).toMatch(/^Valid: 4 file\(s\) would change/);
    await shot('onboard-valid');
    await page.getByRole('button', { name: 'Write 4 file(s)' }).click();
    await poll(() => page.locator('.notice.good').innerText()).toMatch(new RegExp(`tenants/${tenant}.yaml`));
    expect(existsSync(path.join(project.rootDir, `functions/${tenant}/handle-events.ts`))).toBe(true);
    // Hot reload starts the new tenant's consumer; the overview lists it.
    await seen(new RegExp(`hot reload: started consumer ${tenant}\\.handle-events`), 60_000);
    await page.goto(`${loginUrl.replace(/\?token=.*/, '')}#/`);
    await poll(() => page.getByRole('table').getByRole('rowheader').allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringContaining(tenant)]),
    );
    await shot('overview');
    // The new team watches its pipeline run: records sent to its topic reach its handler, on its page.
    const occurredAt = new Date().toISOString();
    await produce(
      tenant,
      'events',
      Array.from({ length: 25 }, (_, i) => ({ id: `e${i}`, type: 'entry.posted', occurredAt })),
    );
    await page.goto(`${loginUrl.replace(/\?token=.*/, '')}#/t/${tenant}`);
    const handler = page.getByRole('article', { name: /^handle-events/ });
    await poll(() => handler.locator('dt:text-is("Records in") + dd').innerText(), { timeout: 90_000 }).toBe(
      '25',
    );
  }, 240_000);

  it('works on a phone screen', async () => {
    const phone = await browser.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${loginUrl.replace(/\?token=.*/, '')}#/`);
    await phone.getByRole('rowheader').first().waitFor();
    const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: path.join(SHOTS, 'portal-phone.png'), fullPage: true });
    await phone.close();
  });
});
