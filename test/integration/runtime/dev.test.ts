/**
 * `stratus dev` as a user runs it, in a child process against the shared broker and emulator: the example
 * pipelines start, the demo producer's records come out the other end, the control routes pause and resume a
 * consumer, and Ctrl-C (SIGINT) stops everything with exit code 0 and the port released.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_FILE, controlAuthHeaders } from '../../../lib/local/control-token.ts';
import { portOpen } from '../../../lib/local/process-utils.ts';
import { testServices } from '../../support/services.ts';
import { type ExampleProject, exampleProject, REPO } from './project.ts';

describe('stratus dev', () => {
  let project: ExampleProject;
  let child: ChildProcess;
  let output = '';
  const exited = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
  const seen = (pattern: RegExp) =>
    expect.poll(() => output, { timeout: 150_000, interval: 250 }).toMatch(pattern);

  beforeAll(async () => {
    project = await exampleProject(['payments']);
    const { brokers, awsEndpoint } = testServices();
    child = spawn(process.execPath, [path.join(REPO, 'bin/stratus-cli.mjs'), 'dev', '--rate', '20'], {
      cwd: project.rootDir,
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), AWS_ENDPOINT_URL: awsEndpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited();
    }
    project.remove();
  });

  it('runs the pipeline, pauses and resumes a consumer over HTTP, and stops cleanly on SIGINT', {
    timeout: 300_000,
  }, async () => {
    const tenant = project.tenants.payments!;
    await seen(new RegExp(`created topic ${tenant}\\.orders \\(6 partitions\\)`));
    await seen(/first record delivered [\d.]+s after start/);
    // Not a terminal: plain status lines, one per consumer state.
    await seen(new RegExp(`${tenant}\\.enrich-orders running [\\d.]+ rec/s lag \\d+`));
    expect(output).not.toMatch(/"level":"INFO"/); // handler logs went to .stratus/logs/functions.log

    const base = `http://127.0.0.1:${project.metricsPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`consumer="${tenant}.enrich-orders"`);
    // The control routes take the run's token from the state directory, readable by its owner only.
    const tokenFile = path.join(project.rootDir, '.stratus', CONTROL_TOKEN_FILE);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const auth = { method: 'POST', headers: controlAuthHeaders(readFileSync(tokenFile, 'utf8').trim()) };
    const refused = await fetch(`${base}/control/consumers/${tenant}.enrich-orders/pause`, {
      method: 'POST',
    });
    expect(refused.status).toBe(401);
    const pause = await fetch(`${base}/control/consumers/${tenant}.enrich-orders/pause`, auth);
    expect(await pause.json()).toMatchObject({ groupId: `${tenant}.enrich-orders`, state: 'paused' });
    await seen(new RegExp(`${tenant}\\.enrich-orders paused`));
    const resume = await fetch(`${base}/control/consumers/${tenant}.enrich-orders/resume`, auth);
    expect(await resume.json()).toMatchObject({ state: 'running' });
    const unknown = await fetch(`${base}/control/consumers/nobody.x/pause`, auth);
    expect(unknown.status).toBe(404);

    child.kill('SIGINT');
    expect(await exited()).toBe(0);
    expect(output).toMatch(/stopping: demo producer, consumers, sinks/);
    expect(output).toMatch(/stopped\.\n/);
    expect(await portOpen(project.metricsPort)).toBe(false);
    expect(existsSync(tokenFile)).toBe(false);
  });
});
