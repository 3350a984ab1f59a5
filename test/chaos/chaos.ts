/**
 * The chaos suite: `stratus dev` (real broker, real stores, the payments pipeline) under a steady producer,
 * while it is killed with SIGKILL at random moments and restarted, its broker and its AWS stores are killed
 * under it, and a poison storm raises invalid records to 10 %. It ends with the independent accounting and
 * returns the figures: 0 lost, 0 duplicate rows in any table with unique keys, only poison in the DLQ.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStratusOrThrow } from '../../lib/manifest/index.ts';
import { accountChaos, type ChaosAccount } from './accounting.ts';
import {
  type DevProcess,
  killDev,
  leftovers,
  readyStatus,
  startDev,
  supervisedPids,
  untilReady,
} from './dev-process.ts';
import { devProject, functionLogOf } from './project.ts';
import { startSteadyProducer } from './steady-producer.ts';

export interface ChaosOptions {
  /** SIGKILLs of `stratus dev`, each followed by a restart. */
  devKills: number;
  /** Longest time a run lives before it is killed (uniformly random from 0, start-up included). */
  maxRunMs: number;
  brokerKills: number;
  emulatorKills: number;
  /** Length of the poison storm (10 % invalid records). */
  stormMs: number;
  /** Records per second to payments.orders. */
  rate: number;
  /** Seed of the kill moments (printed, so a failing run can be repeated). */
  seed?: number;
  say?: (line: string) => void;
}

export interface ChaosFigures {
  seed: number;
  runs: number;
  records: number;
  produced: Record<string, number>;
  devKills: Array<{ afterMs: number; recoveryMs: number }>;
  brokerKills: Array<{ recoveryMs: number }>;
  emulatorKills: Array<{ recoveryMs: number }>;
  storm: { ms: number; poisonShare: number };
  account: ChaosAccount;
  /** SIGINT to exit of the last run. */
  stopMs: number;
  leftoverProcesses: number;
  durationMs: number;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const say = options.say ?? (() => {});
  const started = Date.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  let state = seed;
  const random = () => {
    // mulberry32: repeatable kill moments for a given seed.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const project = await devProject({ prefix: 'stratus-chaos-' });
  const spec = loadStratusOrThrow({ rootDir: project.rootDir, configFile: project.configFile });
  const orders = spec.tenants[0]!.topics.find((t) => t.key === 'orders')!;
  let dev: DevProcess = startDev(project);
  let runs = 1;
  const figures: Omit<
    ChaosFigures,
    'account' | 'stopMs' | 'leftoverProcesses' | 'durationMs' | 'records' | 'produced'
  > = {
    seed,
    runs: 0,
    devKills: [],
    brokerKills: [],
    emulatorKills: [],
    storm: { ms: options.stormMs, poisonShare: 0.1 },
  };
  let producer: Awaited<ReturnType<typeof startSteadyProducer>> | undefined;
  try {
    say(`chaos (seed ${seed}): first start of stratus dev in ${project.rootDir}`);
    await untilReady(project, dev);
    producer = await startSteadyProducer({
      brokers: [`127.0.0.1:${project.ports.kafka}`],
      topic: orders,
      rate: options.rate,
    });

    for (let i = 0; i < options.devKills; i++) {
      const afterMs = Math.round(random() * options.maxRunMs);
      await sleep(Math.max(0, dev.startedAt + afterMs - Date.now()));
      await killDev(dev);
      const killedAt = Date.now();
      dev = startDev(project);
      runs++;
      await untilReady(project, dev);
      const recoveryMs = Date.now() - killedAt;
      figures.devKills.push({ afterMs, recoveryMs });
      say(
        `kill -9 of stratus dev ${i + 1}/${options.devKills}, ${afterMs} ms after its start: ready again in ${recoveryMs} ms`,
      );
    }
    for (let i = 0; i < options.brokerKills; i++) {
      await sleep(3_000);
      const recoveryMs = await killAndRecover(project, supervisedPids(project).kafka);
      figures.brokerKills.push({ recoveryMs });
      say(`kill -9 of the broker: ready again in ${recoveryMs} ms`);
    }
    for (let i = 0; i < options.emulatorKills; i++) {
      await sleep(3_000);
      const pids = supervisedPids(project);
      const recoveryMs = await killAndRecover(project, [...pids.s3, ...pids.dynamodb, ...pids.moto]);
      figures.emulatorKills.push({ recoveryMs });
      say(`kill -9 of the AWS emulator's stores (s3proxy, dynalite, moto): ready again in ${recoveryMs} ms`);
    }
    say(`poison storm: 10 % invalid records for ${options.stormMs / 1000} s`);
    producer.setPoisonShare(0.1);
    await sleep(options.stormMs);
    producer.setPoisonShare(undefined);
    await sleep(2_000);
    await producer.stop();
    say(`producer stopped after ${producer.sent()} records; draining and accounting …`);
    const account = await accountChaos({
      tenants: spec.tenants,
      brokers: [`127.0.0.1:${project.ports.kafka}`],
      awsEndpoint: `http://127.0.0.1:${project.ports.aws}`,
      region: spec.platform.region,
      functionLog: functionLogOf(project),
    });
    const signalledAt = Date.now();
    dev.child.kill('SIGINT');
    await dev.exited;
    const stopMs = Date.now() - signalledAt;
    await sleep(1_000);
    const left = leftovers(project);
    return {
      ...figures,
      runs,
      records: account.consumers.reduce((sum, c) => sum + c.input, 0),
      produced: producer.kinds(),
      account,
      stopMs,
      leftoverProcesses: left.length,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    say(`chaos failed; last output of stratus dev:\n${dev.output().slice(-4000)}`);
    throw error;
  } finally {
    await producer?.stop().catch(() => {});
    if (dev.child.exitCode === null && dev.child.signalCode === null) await killDev(dev);
    const log = `${project.stateDir}/logs`;
    if (process.env.STRATUS_CHAOS_KEEP) say(`kept ${project.rootDir} (logs in ${log})`);
    else project.remove();
  }
}

/** SIGKILL of `pids`; the time until /readyz is 200 again after having gone down (or 200 throughout). */
async function killAndRecover(
  project: Awaited<ReturnType<typeof devProject>>,
  pids: number[],
): Promise<number> {
  if (pids.length === 0) throw new Error('nothing to kill: the supervised process was not found');
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  let wentDown = false;
  while (Date.now() - killedAt < 180_000) {
    const status = await readyStatus(project);
    if (status !== 200) wentDown = true;
    // A kill the health checks did not catch in 5 s did not take readiness down at all.
    if (status === 200 && (wentDown || Date.now() - killedAt > 5_000)) return Date.now() - killedAt;
    await sleep(200);
  }
  throw new Error(`not ready again 180 s after kill -9 of ${pids.join(', ')}`);
}

/** RSS in MiB of a process (NaN when it is gone). */
export function rssMiB(pid: number): number {
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Math.round(Number(kib) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
