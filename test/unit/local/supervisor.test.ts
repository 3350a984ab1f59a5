/** The supervisor restarts a real process that was killed, and stops promptly whatever state it is in. */
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOf, spawnTethered, stopProcess, tetheredPid } from '../../../lib/local/process-utils.ts';
import { Availability, Supervisor } from '../../../lib/local/supervisor.ts';

const log = path.join(mkdtempSync(path.join(os.tmpdir(), 'supervisor-')), 'sleep.log');

async function startSleep() {
  const fd = openSync(log, 'a');
  const child = spawnTethered('sleep', ['600'], { logFd: fd });
  closeSync(fd);
  const pid = await tetheredPid(child);
  return { pid, exited: exitOf(child), stop: () => stopProcess(child, pid, 2_000) };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Supervisor', () => {
  it('restarts a process killed with SIGKILL, with the outage marked while it is down', async () => {
    const lines: string[] = [];
    const availability = new Availability(0);
    const supervisor = await Supervisor.start({
      name: 'sleeper',
      start: startSleep,
      log: (line) => lines.push(line),
      initialBackoffMs: 100,
      onDown: () => availability.markDown('sleeper'),
      onRestarted: () => availability.markUp('sleeper'),
    });
    const first = supervisor.current!.pid;
    const before = Date.now();
    process.kill(first, 'SIGKILL');
    while (supervisor.restarts === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(supervisor.current!.pid).not.toBe(first);
    expect(alive(supervisor.current!.pid)).toBe(true);
    expect(availability.allUp).toBe(true);
    expect(availability.disturbedSince(before)).toBe(true);
    expect(lines[0]).toMatch(/sleeper stopped unexpectedly \(killed by SIGKILL\); restarting in 0\.1 s/);
    expect(lines[1]).toMatch(/sleeper restarted \(down [\d.]+ s\)/);
    const last = supervisor.current!.pid;
    await supervisor.stop();
    expect(alive(last)).toBe(false);
  });

  it('stops at once while it waits to restart', async () => {
    const supervisor = await Supervisor.start({
      name: 'sleeper',
      start: startSleep,
      log: () => {},
      initialBackoffMs: 60_000,
    });
    process.kill(supervisor.current!.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await supervisor.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(supervisor.restarts).toBe(0);
  });

  it('abandons a first start when its signal aborts: the start is not retried and nothing is left running', async () => {
    const stop = new AbortController();
    const pids: number[] = [];
    const starting = Supervisor.start({
      name: 'slow starter',
      // A process that is up but never serves: the start gives up (and stops it) only when aborted.
      start: async (signal) => {
        const sleeper = await startSleep();
        pids.push(sleeper.pid);
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        await sleeper.stop();
        throw new Error('start abandoned (stopping)');
      },
      log: () => {},
      signal: stop.signal,
      firstStartAttempts: 4,
      initialBackoffMs: 10,
    });
    while (pids.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    stop.abort();
    await expect(starting).rejects.toThrow('start abandoned');
    expect(pids).toHaveLength(1);
    expect(alive(pids[0]!)).toBe(false);
  });

  it('a signal aborted after the first start leaves the process supervised: killed, it is restarted', async () => {
    const stop = new AbortController();
    const supervisor = await Supervisor.start({
      name: 'sleeper',
      start: startSleep,
      log: () => {},
      signal: stop.signal,
      initialBackoffMs: 50,
    });
    stop.abort();
    process.kill(supervisor.current!.pid, 'SIGKILL');
    for (let i = 0; supervisor.restarts === 0; i++) {
      if (i > 250) throw new Error('not restarted within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const pid = supervisor.current!.pid;
    await supervisor.stop();
    expect(alive(pid)).toBe(false);
  });
});

describe('Availability.withoutInvocations', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('waits for the invocations running, holds back new ones while its work runs, then lets them go', async () => {
    const availability = new Availability(0);
    const events: string[] = [];
    const running = await availability.invocationStarts();
    const held = availability.withoutInvocations(async () => {
      events.push('work starts');
      await tick();
      events.push('work ends');
      return 7;
    });
    const next = availability.invocationStarts().then((done) => {
      events.push('next invocation starts');
      done();
    });
    await tick();
    expect(events).toEqual([]); // the running invocation has not ended
    events.push('running invocation ends');
    running();
    running(); // a second call does not count twice
    expect(await held).toBe(7);
    await next;
    expect(events).toEqual(['running invocation ends', 'work starts', 'work ends', 'next invocation starts']);
  });

  it('runs at once when nothing runs, and lifts its hold when the work fails', async () => {
    const availability = new Availability(0);
    await expect(
      availability.withoutInvocations(() => Promise.reject(new Error('store down again'))),
    ).rejects.toThrow('store down again');
    const done = await availability.invocationStarts();
    done();
    expect(await availability.withoutInvocations(async () => 'ran')).toBe('ran');
  });
});
