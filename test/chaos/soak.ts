/**
 * The soak (`npm run chaos -- soak`, not in CI): `stratus dev` under a steady producer for a long time, with
 * no faults. Lag must stay bounded and memory flat: it samples both every minute and reports the RSS of each
 * process at the start and the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { localConsumerGroups } from '../../lib/local/consumer-groups.ts';
import { consumerLag } from '../../lib/local/demo/drain.ts';
import { loadStratusOrThrow } from '../../lib/manifest/index.ts';
import { accountChaos, type ChaosAccount } from './accounting.ts';
import { rssMiB } from './chaos.ts';
import { startDev, supervisedPids, untilReady } from './dev-process.ts';
import { devProject, functionLogOf } from './project.ts';
import { startSteadyProducer } from './steady-producer.ts';

export interface SoakFigures {
  minutes: number;
  rate: number;
  records: number;
  /** Highest total lag (records) seen at a sample, and at the last sample. */
  lagMax: number;
  lagEnd: number;
  /** RSS in MiB at the first and last sample. */
  rss: Record<string, { start: number; end: number }>;
  account: ChaosAccount;
}

export async function runSoak(options: {
  minutes: number;
  rate: number;
  say?: (line: string) => void;
}): Promise<SoakFigures> {
  const say = options.say ?? (() => {});
  const project = await devProject({ prefix: 'stratus-soak-' });
  const spec = loadStratusOrThrow({ rootDir: project.rootDir, configFile: project.configFile });
  const tenant = spec.tenants[0]!;
  const dev = startDev(project);
  const brokers = [`127.0.0.1:${project.ports.kafka}`];
  try {
    await untilReady(project, dev);
    const producer = await startSteadyProducer({
      brokers,
      topic: tenant.topics.find((t) => t.key === 'orders')!,
      rate: options.rate,
    });
    const admin = new Kafka({ clientId: 'stratus-soak', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const groups = localConsumerGroups(tenant);
    const rss: Record<string, { start: number; end: number }> = {};
    let lagMax = 0;
    let lagEnd = 0;
    for (let minute = 0; minute <= options.minutes; minute++) {
      if (minute > 0) await sleep(60_000);
      const pids = supervisedPids(project);
      const now: Record<string, number> = {
        'stratus dev': rssMiB(dev.child.pid!),
        kafka: rssMiB(pids.kafka[0] ?? 0),
        s3proxy: rssMiB(pids.s3[0] ?? 0),
        dynalite: rssMiB(pids.dynamodb[0] ?? 0),
        moto: rssMiB(pids.moto[0] ?? 0),
      };
      for (const [name, value] of Object.entries(now)) {
        rss[name] ??= { start: value, end: value };
        rss[name].end = value;
      }
      const { lag } = await consumerLag(admin, groups);
      lagEnd = Object.values(lag).reduce((a, b) => a + b, 0);
      lagMax = Math.max(lagMax, lagEnd);
      say(`soak minute ${minute}/${options.minutes}: lag ${lagEnd}, RSS ${JSON.stringify(now)}`);
    }
    await producer.stop();
    await admin.disconnect();
    const account = await accountChaos({
      tenants: spec.tenants,
      brokers,
      awsEndpoint: `http://127.0.0.1:${project.ports.aws}`,
      region: spec.platform.region,
      functionLog: functionLogOf(project),
    });
    return {
      minutes: options.minutes,
      rate: options.rate,
      records: producer.sent(),
      lagMax,
      lagEnd,
      rss,
      account,
    };
  } finally {
    dev.child.kill('SIGINT');
    await dev.exited;
    project.remove();
  }
}
