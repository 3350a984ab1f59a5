import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { classArchive } from './jvm-class-archive.ts';
import { diagnoseBrokerFailure } from './kafka-diagnosis.ts';
import { ensureMavenJars, javaBinary, LOCALSTACK_DIR } from './maven-jars.ts';
import { exitOf, portOpen, spawnTethered, stopProcess, tetheredPid, waitFor } from './process-utils.ts';

const KAFKA_DIR = path.join(LOCALSTACK_DIR, 'kafka');

export interface KafkaBrokerOptions {
  /** PLAINTEXT port on 127.0.0.1. */
  port: number;
  /**
   * KRaft controller port.
   * @default port + 1
   */
  controllerPort?: number;
  /** Directory for the broker's data and log file (created; formatted on first start). */
  dataDir: string;
  /**
   * Where a failed start's log is copied, so it outlives a throwaway data directory (the demo's).
   * @default the data directory (the log is not copied)
   */
  keepLogsIn?: string;
  /**
   * New ports after a port clash: the start is retried once on them. Without it the start is retried once on
   * the same ports after a pause (a broker of a run that was just killed frees its ports within seconds).
   */
  pickPorts?: () => Promise<{ port: number; controllerPort: number }>;
  /**
   * JVM heap in MiB.
   * @default 512
   */
  heapMb?: number;
  /** Progress lines (jar download, formatting, start). */
  onProgress?: (line: string) => void;
  /** Abandons a start in progress (Ctrl-C while the broker starts): the JVM is stopped and the start rejects. */
  signal?: AbortSignal;
}

export interface KafkaBroker {
  /** Bootstrap servers, e.g. ['127.0.0.1:9092']. */
  brokers: string[];
  /** The broker's log file (undefined for an external broker). */
  logFile?: string;
  /** True when Stratus started the broker (and so stops it). */
  embedded: boolean;
  /** Resolves when the broker's process ends without being stopped (`killed by SIGKILL`); never for an external one. */
  exited: Promise<string>;
  /** The JVM's pid (embedded only). */
  pid?: number;
  /** The ports it listens on (embedded only; after a port clash they may differ from the ones asked for). */
  ports?: { port: number; controllerPort: number };
  stop(): Promise<void>;
}

/** A start that failed because a port was taken (retried once). */
export class BrokerPortClashError extends Error {
  override name = 'BrokerPortClashError';
}

/**
 * The broker for local runs: the one named by KAFKA_BROKERS when set, otherwise an embedded Apache Kafka
 * started from Maven Central jars.
 */
export async function startKafka(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    const brokers = external.split(',').map((broker) => broker.trim());
    await waitUntilUsable(brokers, 30_000);
    return { brokers, embedded: false, exited: new Promise(() => {}), stop: async () => {} };
  }
  return startEmbeddedKafka(options);
}

/**
 * Starts a single-node KRaft broker and resolves once it accepts group and idempotent-producer requests. A port
 * clash is retried once (on new ports when `pickPorts` is given); any other failure says what the log shows.
 */
export async function startEmbeddedKafka(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  try {
    return await startOnce(options);
  } catch (error) {
    if (!(error instanceof BrokerPortClashError) || options.signal?.aborted) throw error;
    const say = options.onProgress ?? (() => {});
    if (options.pickPorts) {
      const ports = await options.pickPorts();
      say(`${error.message.split('\n')[0]}; retrying once on ports ${ports.port}/${ports.controllerPort}`);
      return startOnce({ ...options, ...ports });
    }
    // A broker of a run that was just killed is still shutting down (the tether stops it): wait for its
    // ports, then try once more.
    say(`${error.message.split('\n')[0]}; waiting up to 20 s for the ports, then retrying once`);
    const controllerPort = options.controllerPort ?? options.port + 1;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !options.signal?.aborted) {
      if (!(await portOpen(options.port)) && !(await portOpen(controllerPort))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return startOnce(options);
  }
}

async function startOnce(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  const say = options.onProgress ?? (() => {});
  const controllerPort = options.controllerPort ?? options.port + 1;
  for (const port of [options.port, controllerPort]) {
    if (await portOpen(port)) {
      throw new BrokerPortClashError(
        `port ${port} is already in use; stop what uses it, change local.kafkaPort in stratus.config.yaml, or set KAFKA_BROKERS to use a running broker`,
      );
    }
  }
  const jars = await ensureKafkaJars(say);
  const dataDir = path.resolve(options.dataDir);
  const logDirs = path.join(dataDir, 'data');
  const logFile = path.join(dataDir, 'server.log');
  const stdoutFile = path.join(dataDir, 'stdout.log');
  mkdirSync(logDirs, { recursive: true });

  const config = path.join(dataDir, 'server.properties');
  const template = readFileSync(path.join(KAFKA_DIR, 'server.properties'), 'utf8');
  writeFileSync(
    config,
    template
      .replaceAll('{{port}}', String(options.port))
      .replaceAll('{{controllerPort}}', String(controllerPort))
      .replaceAll('{{logDirs}}', logDirs),
  );
  const classpath = `${jars}/*`;
  const java = javaBinary();
  const archiveDir = path.join(jars, 'class-archives');
  if (!existsSync(path.join(logDirs, 'meta.properties'))) {
    say(`formatting Kafka storage in ${path.relative(process.cwd(), logDirs) || logDirs} …`);
    const formatArchive = classArchive({ dir: archiveDir, name: 'kafka-storage-format', java });
    const format = runJava(java, [
      ...formatArchive.jvmArgs,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${kafkaClusterId()}`,
      '-c',
      config,
      '-g',
    ]);
    // Kept only after a clean exit: a failed format's dump is dropped.
    await format.then(
      () => formatArchive.settle('exit code 0'),
      (error: unknown) => {
        formatArchive.settle('failed');
        throw error;
      },
    );
  }

  say(
    `starting Kafka on 127.0.0.1:${options.port} (log: ${path.relative(process.cwd(), logFile) || logFile}) …`,
  );
  // Where this start's lines begin in the (appended) logs, so a failure quotes only this attempt.
  const logStart = { server: fileSize(logFile), stdout: fileSize(stdoutFile) };
  const logFd = openSync(stdoutFile, 'a');
  const heap = `${options.heapMb ?? 512}m`;
  const archive = classArchive({ dir: archiveDir, name: 'kafka-broker', java });
  const child = spawnTethered(
    java,
    [
      ...archive.jvmArgs,
      `-Xms${heap}`,
      `-Xmx${heap}`,
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Dlog4j2.configurationFile=${path.join(KAFKA_DIR, 'log4j2.yaml')}`,
      `-Dstratus.kafka.log=${logFile}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      config,
    ],
    { logFd },
  );
  closeSync(logFd);
  const exited = exitOf(child);
  void exited.then((how) => archive.settle(how));
  const pid = await tetheredPid(child);
  const brokers = [`127.0.0.1:${options.port}`];
  const stop = () => stopProcess(child, pid, 20_000);
  let ended: string | undefined;
  void exited.then((how) => {
    ended = how;
  });
  try {
    await waitUntilUsable(brokers, 90_000, () => {
      if (options.signal?.aborted) return 'start abandoned (stopping)';
      return ended ? `exited (${ended})` : undefined;
    });
  } catch (error) {
    await stop();
    if (options.signal?.aborted) throw error;
    const lines = [...tail(logFile, logStart.server, 20), ...tail(stdoutFile, logStart.stdout, 10)];
    const diagnosis = diagnoseBrokerFailure(lines.join('\n'), {
      port: options.port,
      controllerPort,
      heapMb: options.heapMb ?? 512,
    });
    const kept = keepLog(options.keepLogsIn, logFile, stdoutFile);
    const message = [
      `Kafka did not start on 127.0.0.1:${options.port}: ${(error as Error).message}`,
      `likely cause: ${diagnosis.cause}`,
      lines.length > 0
        ? `last lines of the broker's log:\n${lines.map((l) => `  ${l}`).join('\n')}`
        : undefined,
      `full log: ${kept}`,
    ]
      .filter(Boolean)
      .join('\n');
    throw diagnosis.kind === 'port' ? new BrokerPortClashError(message) : new Error(message);
  }
  return {
    brokers,
    logFile,
    embedded: true,
    exited,
    pid,
    ports: { port: options.port, controllerPort },
    stop,
  };
}

/** The jars' directory (the tests' global setup warms the cache with it). */
export function ensureKafkaJars(say: (line: string) => void = () => {}): Promise<string> {
  return ensureMavenJars({
    pom: path.join(KAFKA_DIR, 'pom.xml'),
    cacheName: 'kafka-jars',
    expectJar: 'kafka_2.13',
    what: 'Apache Kafka (about 45 MB)',
    say,
  });
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last `count` telling lines written to `file` after byte `from` (stack frames left out). */
function tail(file: string, from: number, count: number): string[] {
  try {
    return readFileSync(file)
      .subarray(from)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !/^\s+(at |\.\.\. \d+ more)/.test(line))
      .slice(-count);
  } catch {
    return [];
  }
}

/** Copies the logs of a failed start out of a throwaway directory; returns where the full log is. */
function keepLog(keepIn: string | undefined, logFile: string, stdoutFile: string): string {
  if (!keepIn) return logFile;
  mkdirSync(keepIn, { recursive: true });
  const stamp = new Date().toISOString().replaceAll(':', '-');
  const kept = path.join(keepIn, `kafka-failed-start-${stamp}.log`);
  try {
    copyFileSync(logFile, kept);
    if (existsSync(stdoutFile)) writeFileSync(kept, readFileSync(stdoutFile), { flag: 'a' });
    return kept;
  } catch {
    return logFile;
  }
}

/**
 * Ready means more than an open port: a group coordinator answers (the offsets topic is created and loaded
 * lazily on first use) and an idempotent producer gets a producer id. Doing both here spares every consumer
 * the "coordinator is loading" retries.
 */
async function waitUntilUsable(
  brokers: string[],
  timeoutMs: number,
  abortIf?: () => string | undefined,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'stratus-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  await waitFor(
    `Kafka at ${brokers.join(',')}`,
    async () => {
      if (!(await portOpen(Number(brokers[0]!.split(':').pop())))) return false;
      const admin = kafka.admin();
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.describeGroups(['stratus-readiness']);
        await producer.connect();
        return true;
      } finally {
        await producer.disconnect().catch(() => {});
        await admin.disconnect().catch(() => {});
      }
    },
    { timeoutMs, intervalMs: 100, abortIf },
  );
}

/**
 * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what `random-uuid` prints). It may
 * start with '-', which is why it is passed as `--cluster-id=<id>` and never as a separate argument.
 */
function kafkaClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}

function runJava(java: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot run Java: ${error.message}; Stratus needs Java 17+ to run Kafka locally, or set KAFKA_BROKERS`,
        ),
      ),
    );
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`Kafka storage format failed (exit ${code}):\n${output.slice(-2000)}`)),
    );
  });
}
