import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { ensureMavenJars } from './maven-jars.ts';
import { portOpen, spawnTethered, stopProcess, tetheredPid, waitFor } from './process-utils.ts';

const KAFKA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../localstack/kafka');

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
   * JVM heap in MiB.
   * @default 512
   */
  heapMb?: number;
  /** Progress lines (jar download, formatting, start). */
  onProgress?: (line: string) => void;
}

export interface KafkaBroker {
  /** Bootstrap servers, e.g. ['127.0.0.1:9092']. */
  brokers: string[];
  /** The broker's log file (undefined for an external broker). */
  logFile?: string;
  /** True when Stratus started the broker (and so stops it). */
  embedded: boolean;
  stop(): Promise<void>;
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
    return { brokers, embedded: false, stop: async () => {} };
  }
  return startEmbeddedKafka(options);
}

/** Starts a single-node KRaft broker and resolves once it accepts group and idempotent-producer requests. */
export async function startEmbeddedKafka(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  const say = options.onProgress ?? (() => {});
  const controllerPort = options.controllerPort ?? options.port + 1;
  for (const port of [options.port, controllerPort]) {
    if (await portOpen(port)) {
      throw new Error(
        `port ${port} is already in use; stop what uses it, change local.kafkaPort in stratus.config.yaml, or set KAFKA_BROKERS to use a running broker`,
      );
    }
  }
  const jars = await ensureKafkaJars(say);
  const dataDir = path.resolve(options.dataDir);
  const logDirs = path.join(dataDir, 'data');
  const logFile = path.join(dataDir, 'server.log');
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
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
  if (!existsSync(path.join(logDirs, 'meta.properties'))) {
    say(`formatting Kafka storage in ${path.relative(process.cwd(), logDirs) || logDirs} …`);
    await runJava(java, [
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${kafkaClusterId()}`,
      '-c',
      config,
      '-g',
    ]);
  }

  say(
    `starting Kafka on 127.0.0.1:${options.port} (log: ${path.relative(process.cwd(), logFile) || logFile}) …`,
  );
  const logFd = openSync(path.join(dataDir, 'stdout.log'), 'a');
  const heap = `${options.heapMb ?? 512}m`;
  const child = spawnTethered(
    java,
    [
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
  const pid = await tetheredPid(child);
  const brokers = [`127.0.0.1:${options.port}`];
  const stop = () => stopProcess(child, pid, 20_000);
  try {
    await waitUntilUsable(brokers, 90_000, () =>
      child.exitCode !== null ? `Kafka exited; see ${logFile}` : undefined,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { brokers, logFile, embedded: true, stop };
}

/**
 * Jars resolved by Maven from localstack/kafka/pom.xml into the user cache, keyed by the pom's hash, so
 * every checkout on a machine shares one download.
 */
export function ensureKafkaJars(say: (line: string) => void = () => {}): Promise<string> {
  return ensureMavenJars({
    pom: path.join(KAFKA_DIR, 'pom.xml'),
    cacheName: 'kafka-jars',
    expectJar: 'kafka_2.13',
    what: 'Apache Kafka (about 45 MB)',
    say,
  });
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
    { timeoutMs, intervalMs: 300, abortIf },
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
