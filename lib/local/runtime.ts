/**
 * The local runtime behind `stratus dev` and `stratus demo`: for the selected tenants it starts (or connects
 * to) Kafka and the AWS emulator, creates the topics and AWS resources from the manifests, runs every consumer
 * (handler + event-source emulator) and sink, and stops it all in order. Processors write their outputs to
 * Kafka themselves, so the next consumer or sink of a chain reads them like on AWS.
 */
import { Kafka, logLevel } from 'kafkajs';
import { awsClientConfig } from '../core/aws-client-config.ts';
import type { ConsumerSpec, StratusSpec, TenantSpec } from '../manifest/spec.ts';
import { type ControllableConsumer, consumerControlRoutes } from '../ops/consumer-control.ts';
import { type AwsEmulator, startAwsEmulator } from './aws-emulator.ts';
import { ensureIdempotencyTable, releaseInProgressRecords } from './aws-resources.ts';
import type { StoreName } from './aws-stores/gateway.ts';
import { localConsumerGroups } from './consumer-groups.ts';
import { type ConsumerRunner, startConsumerRunner } from './consumer-runner.ts';
import { removeControlToken, writeControlToken } from './control-token.ts';
import { removeGroupMembers } from './dead-group-members.ts';
import { EarlyEnvironments } from './early-environments.ts';
import type { EventSourceObserver } from './event-source/index.ts';
import { startLocalIngest } from './ingest-route.ts';
import { createObservability, type Observability } from './observability/index.ts';
import { endpointHealthy } from './observability/readiness.ts';
import { combineObservers } from './observers.ts';
import { applyLocalQuotas } from './quotas.ts';
import { describeRegistrations, registerTenantSchemas } from './schema-registry.ts';
import type { Lakehouse } from './sink/lakehouse.ts';
import { type LocalSink, startLocalSinks } from './sinks.ts';
import { statePaths } from './state-dir.ts';
import { type SupervisedKafka, startSupervisedKafka } from './supervised-kafka.ts';
import { Availability } from './supervisor.ts';
import { describeTopicChanges, provisionTopics, tenantTopics } from './topics.ts';

export interface RuntimeOptions {
  spec: StratusSpec;
  /**
   * Tenants to run, by name.
   * @default every tenant of the spec
   */
  tenants?: string[];
  /**
   * Kafka's data directory (kept between runs, so committed offsets persist).
   * @default '<stateDir>/kafka'
   */
  kafkaDataDir?: string;
  /**
   * The AWS emulator's data (S3 objects, DynamoDB tables, the Glue journal), kept between runs.
   * @default '<stateDir>/aws'
   */
  awsDataDir?: string;
  /**
   * New Kafka ports after a port clash at start (the demo's free ports); without it a clash is retried once on
   * the same ports.
   */
  pickKafkaPorts?: () => Promise<{ port: number; controllerPort: number }>;
  /**
   * Where the emulator and other helpers write their logs.
   * @default '<stateDir>/logs'
   */
  logDir?: string;
  /**
   * Use these running services instead of starting any (tests, `stratus demo` against a shared broker).
   * Without it, KAFKA_BROKERS / AWS_ENDPOINT_URL still select external services (see the launchers).
   */
  services?: { brokers: string[]; awsEndpoint: string };
  /**
   * Ports for the services the runtime starts (the demo picks free ones, so it can run beside `stratus dev`).
   * @default the platform config's local.kafkaPort (controller: +1) and local.awsPort
   */
  ports?: { kafka?: number; kafkaController?: number; aws?: number };
  /**
   * Powertools log level of every handler.
   * @default the platform config's functions.logLevel
   */
  functionLogLevel?: string;
  /**
   * Port of the metrics/health/control HTTP server; 0 picks a free one, `false` runs none.
   * @default the platform config's local.metricsPort
   */
  metricsPort?: number | false;
  /** An extra observer per consumer (tests). */
  observerFor?: (groupId: string) => EventSourceObserver | undefined;
  /** What the runtime is doing, one line at a time (downloads, topics, consumers). */
  onProgress?: (line: string) => void;
  /**
   * Called once the tenants' topics exist, before the consumers and sinks start, with a client for the broker:
   * `stratus dev` starts its demo producer here, so the first records wait in Kafka while the consumers join
   * instead of being produced after everything started. Not awaited; a failure is the callback's to report.
   * What it returns is stopped with the runtime (also when the start fails or is given up), before the broker:
   * a client still sending to a broker that is gone waits out its retries.
   */
  onTopicsReady?: (kafka: Kafka, tenants: readonly TenantSpec[]) => { stop(): Promise<void> } | undefined;
  /**
   * Abandons the start (Ctrl-C during start-up): the broker's and the stores' starts under way are given up, no
   * further part is started, what already runs is stopped in order, and `startRuntime` rejects with
   * `RuntimeStartAborted`. Once `startRuntime` resolved, the signal is not looked at: stop with `stop()`.
   * @default the start runs to its end
   */
  signal?: AbortSignal;
}

export interface Runtime {
  tenants: TenantSpec[];
  brokers: string[];
  awsEndpoint: string;
  /** A kafkajs client for the runtime's broker (for producers and readers beside the pipelines). */
  kafka: Kafka;
  consumers: ConsumerRunner[];
  sinks: LocalSink[];
  /** Delivers what every sink buffers now, without waiting for its buffer interval. */
  flushSinks(): Promise<void>;
  /** Where the sinks write; `readerRequest` finds a table for the independent reader. */
  lakehouse: Lakehouse;
  /** Metrics, health and control routes; undefined with `metricsPort: false`. */
  observability?: Observability;
  /** Base URL of the metrics/health/control server. */
  metricsUrl?: string;
  /** Feed one line a function printed (the SDK's EMF metrics become Prometheus metrics). */
  handlerOutput(line: string): void;
  /** A running consumer by group id (`payments.enrich-orders`), for the pause/resume control routes. */
  consumer(groupId: string): ControllableConsumer | undefined;
  /** Epoch ms when `startRuntime` was called. */
  startedAt: number;
  /** Which supervised services (broker, stores) are down now. */
  availability: Availability;
  /** The processes the runtime started, for chaos tests: pids now (a service being restarted has none). */
  processes(): { kafka?: number; s3?: number; dynamodb?: number; moto?: number };
  /** Restarts of the supervised services so far. */
  restarts(): { kafka: number; s3: number; dynamodb: number; moto: number };
  /** Hot reload (lib/local/hot-reload): start one more consumer while the rest keeps running. */
  startConsumer(tenant: TenantSpec, consumer: ConsumerSpec): Promise<ConsumerRunner>;
  /** Hot reload: stop one consumer (its batch in flight finishes and is committed) and forget it. */
  stopConsumer(groupId: string): Promise<void>;
  /** Stops consumers, sinks, the emulator and the broker, in that order; safe to call twice. */
  stop(): Promise<void>;
}

/** Selects tenants by name; unknown names are an error that lists the known ones. */
export function selectTenants(spec: StratusSpec, names: readonly string[] | undefined): TenantSpec[] {
  if (!names || names.length === 0) return spec.tenants;
  const known = new Map(spec.tenants.map((tenant) => [tenant.name, tenant]));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UnknownTenantError(unknown, [...known.keys()]);
  }
  return names.map((name) => known.get(name)!);
}

export class UnknownTenantError extends Error {
  override name = 'UnknownTenantError';
  constructor(
    readonly unknown: string[],
    readonly known: string[],
  ) {
    super(
      `unknown tenant${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')}; the manifests declare: ${known.join(', ') || '(none)'}`,
    );
  }
}

/** `startRuntime` gave up because its `signal` aborted; everything it had started is stopped. */
export class RuntimeStartAborted extends Error {
  override name = 'RuntimeStartAborted';
  constructor() {
    super('start-up abandoned: stopped before everything had started');
  }
}

/** A stop slower than this says how long each part took. */
const SLOW_STOP_MS = 3_000;

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const startedAt = Date.now();
  const say = options.onProgress ?? (() => {});
  const { platform } = options.spec;
  const tenants = selectTenants(options.spec, options.tenants);
  const paths = statePaths(platform);
  const availability = new Availability();
  // Everything started so far, stopped in reverse order on failure or at the end. Each step has a deadline:
  // a part stuck on a dead peer (a commit to a broker that is gone) must not hold up the exit; what it did
  // not commit is delivered again after the next start.
  const stack: Array<{ what: string; stop: () => Promise<void>; deadlineMs?: number }> = [];
  const stopAll = async () => {
    const errors: string[] = [];
    // How long each part took, said when stopping was slow: the first thing to read when an exit drags.
    const took: string[] = [];
    const began = Date.now();
    while (stack.length > 0) {
      const step = stack.pop()!;
      const deadlineMs = step.deadlineMs ?? 10_000;
      const stepBegan = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const finished = await Promise.race([
          step.stop().then(() => true),
          new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), deadlineMs);
          }),
        ]);
        if (!finished) errors.push(`${step.what}: still stopping after ${deadlineMs / 1000} s, left behind`);
      } catch (error) {
        errors.push(`${step.what}: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
        took.push(`${step.what} ${((Date.now() - stepBegan) / 1000).toFixed(1)} s`);
      }
    }
    if (errors.length > 0) say(`some parts did not stop cleanly: ${errors.join('; ')}`);
    if (Date.now() - began > SLOW_STOP_MS) say(`stopping took: ${took.join(', ')}`);
  };
  let kafkaService: SupervisedKafka | undefined;
  let startupDone = false;
  let awsService: AwsEmulator | undefined;
  /** Consumers' environments started while the broker starts (lib/local/early-environments.ts). */
  let early: EarlyEnvironments | undefined;
  /** Set once the consumers are known (see the idempotency table below). */
  let afterStoreRestart: ((store: StoreName) => Promise<void>) | undefined;
  const { signal } = options;
  /** Between the steps of the start: none begins after a stop was asked for. */
  const unlessAborted = () => {
    if (signal?.aborted) throw new RuntimeStartAborted();
  };

  try {
    // Every topic schema goes into the local registry first: an incompatible change stops here, before
    // anything reads or writes with it (as the registry's check stops a deployment on AWS).
    for (const line of describeRegistrations(await registerTenantSchemas(platform, tenants))) say(line);
    unlessAborted();

    let brokers: string[];
    let awsEndpoint: string;
    if (options.services) {
      ({ brokers, awsEndpoint } = options.services);
    } else {
      const logDir = options.logDir ?? paths.logDir;
      const kafkaPort = options.ports?.kafka ?? platform.local.kafkaPort;
      const brokerStarting = startSupervisedKafka({
        port: kafkaPort,
        controllerPort: options.ports?.kafkaController,
        dataDir: options.kafkaDataDir ?? paths.kafkaDataDir,
        keepLogsIn: logDir,
        pickPorts: options.pickKafkaPorts,
        onProgress: say,
        log: say,
        availability,
        signal,
      });
      const [brokerResult, awsResult] = await Promise.allSettled([
        brokerStarting,
        startAwsEmulator({
          port: options.ports?.aws ?? platform.local.awsPort,
          dataDir: options.awsDataDir ?? paths.awsDataDir,
          logDir,
          onProgress: say,
          availability,
          // The broker and the consumers need DynamoDB only; the sinks below wait for S3 and Glue.
          slowStoresAfter: brokerStarting,
          signal,
          afterRestart: (store) => afterStoreRestart?.(store) ?? Promise.resolve(),
        }).then((aws) => {
          // The broker's own address is known before it serves unless it picks its ports or is elsewhere.
          if (!options.pickKafkaPorts && !process.env.KAFKA_BROKERS && !signal?.aborted) {
            const started = EarlyEnvironments.start({
              platform,
              tenants,
              brokers: [`127.0.0.1:${kafkaPort}`],
              awsEndpoint: aws.endpoint,
              logLevel: options.functionLogLevel,
            });
            early = started;
            // Pushed before the services are, so stopped after everything: the hosts no consumer took.
            stack.push({ what: 'unused execution environments', stop: () => started.close() });
          }
          return aws;
        }),
      ]);
      // Pushed in start order; stopped in reverse: the broker last, after everything that talks to it. One
      // that started is stopped even when the other failed.
      if (brokerResult.status === 'fulfilled') {
        const started = brokerResult.value;
        kafkaService = started;
        stack.push({ what: 'Kafka', stop: () => started.stop(), deadlineMs: 25_000 });
      }
      if (awsResult.status === 'fulfilled') {
        const started = awsResult.value;
        awsService = started;
        stack.push({ what: 'AWS emulator', stop: () => started.stop() });
      }
      unlessAborted();
      if (brokerResult.status === 'rejected') throw brokerResult.reason;
      if (awsResult.status === 'rejected') throw awsResult.reason;
      const [broker, aws] = [brokerResult.value, awsResult.value];
      brokers = broker.brokers;
      awsEndpoint = aws.endpoint;
      say(
        `Kafka at ${brokers.join(',')}${broker.embedded ? '' : ' (KAFKA_BROKERS)'}, AWS emulator at ${awsEndpoint}${aws.embedded ? '' : ' (AWS_ENDPOINT_URL)'}`,
      );
    }

    unlessAborted();
    const kafka = new Kafka({ clientId: 'stratus-runtime', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const line of describeTopicChanges(await provisionTopics(admin, tenantTopics(tenants)))) say(line);
      for (const line of await applyLocalQuotas(brokers, tenants)) say(line);
    } finally {
      await admin.disconnect();
    }
    unlessAborted();
    const topicClient = options.onTopicsReady?.(kafka, tenants);
    if (topicClient) stack.push({ what: 'clients started with the topics', stop: () => topicClient.stop() });
    // After a kill, the dead run's members are still in the groups (Kafka keeps them across its restart) and
    // every join would wait out their sessions. Only on the broker this run started: nobody else is in its groups.
    const removingDeadMembers = async () => {
      if (!kafkaService?.embedded) return;
      const groups = tenants.flatMap((tenant) => localConsumerGroups(tenant).map((group) => group.groupId));
      const removed = await removeGroupMembers(kafka, groups).catch((error: Error) => {
        say(
          `could not remove the previous run's group members (${error.message}); joins wait for their sessions`,
        );
        return [];
      });
      const total = removed.reduce((sum, group) => sum + group.removed, 0);
      if (total > 0)
        say(
          `consumer groups: removed ${total} member(s) a killed run left in ${removed.map((group) => group.groupId).join(', ')}, so no join waits out their sessions`,
        );
    };

    const consumers = tenants.flatMap((tenant) => tenant.consumers.map((consumer) => ({ tenant, consumer })));
    const preparingIdempotency = async () => {
      if (!consumers.some(({ consumer }) => consumer.idempotency)) return;
      const table = await ensureIdempotencyTable({ endpoint: awsEndpoint, region: platform.region });
      say(`idempotency table ${table} ready`);
      if (!awsService?.embedded) return;
      const released = await releaseInProgressRecords({ endpoint: awsEndpoint, region: platform.region });
      if (released > 0)
        say(
          `idempotency: released ${released} in-progress record(s) whose invocations ended with the previous run`,
        );
      // The same after a restart of the DynamoDB store under the run: an invocation whose claim was written
      // but whose answer was lost with the store (or whose release failed while it was down) left locks that
      // would fail its records as "already in progress" until they expire with the invocation's timeout —
      // counted attempts, then the DLQ. Released at a moment no invocation runs, so none is a live lock.
      afterStoreRestart = async (store) => {
        if (store !== 'dynamodb') return;
        const released = await availability.withoutInvocations(() =>
          releaseInProgressRecords({ endpoint: awsEndpoint, region: platform.region }),
        );
        if (released > 0)
          say(
            `idempotency: released ${released} in-progress record(s) of invocations that ended while the DynamoDB store was down`,
          );
      };
    };
    // One talks to Kafka, the other to DynamoDB: side by side. Both are done before any consumer starts.
    const prepared = await Promise.allSettled([removingDeadMembers(), preparingIdempotency()]);
    for (const result of prepared) if (result.status === 'rejected') throw result.reason;
    unlessAborted();

    let observability: Observability | undefined;
    const metricsPort = options.metricsPort ?? platform.local.metricsPort;
    if (metricsPort !== false) {
      observability = await createObservability({
        tenants,
        brokers,
        awsEndpoint,
        port: metricsPort,
        log: (line) => say(line),
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new Error(
          `port ${metricsPort} (local.metricsPort) is already in use — is another \`stratus dev\` running? Stop it or change local.metricsPort in stratus.config.yaml`,
        );
      });
      const obs = observability;
      // The control routes answer only callers that can read the state directory (`stratus replay`).
      writeControlToken(paths.controlToken, obs.server.controlToken);
      stack.push({
        what: 'metrics server',
        stop: async () => {
          removeControlToken(paths.controlToken, obs.server.controlToken);
          await obs.stop();
        },
        deadlineMs: 3_000,
      });
      // Not ready before every consumer and sink runs (the server answers from here on).
      obs.registerCheck('runtime', async () =>
        startupDone ? { ok: true, detail: 'started' } : { ok: false, detail: 'starting consumers and sinks' },
      );
      // Ready only while every store of the emulator serves, not merely while its endpoint answers.
      if (awsService?.healthUrl)
        obs.registerCheck('aws', endpointHealthy('AWS emulator', awsService.healthUrl));
      say(`metrics, health and control routes on ${obs.server.url} (/metrics, /healthz, /readyz)`);
      // HTTP ingest (`ingest:` in a manifest): the same route and answers as the tenant's API on AWS.
      const ingest = startLocalIngest({ server: obs.server, tenants, brokers, availability });
      if (ingest) {
        stack.push({ what: 'ingest endpoint', stop: () => ingest.stop(), deadlineMs: 3_000 });
        for (const route of ingest.routes)
          say(`ingest: ${route} (Authorization: Bearer <stateDir>/control-token)`);
      }
    }

    unlessAborted();
    // Started together, consumers and sinks: each joins its consumer group, which takes a moment per group.
    const runners: ConsumerRunner[] = [];
    const startOne = (tenant: TenantSpec, consumer: ConsumerSpec) =>
      startConsumerRunner({
        platform,
        tenant,
        consumer,
        kafka,
        brokers,
        awsEndpoint,
        logLevel: options.functionLogLevel,
        log: say,
        availability,
        prewarmed: early?.take(consumer.groupId, brokers),
        observer: combineObservers(
          observability?.observerFor(consumer),
          options.observerFor?.(consumer.groupId),
        ),
      });
    const startingSinks = (awsService?.allStoresServing ?? Promise.resolve()).then(() =>
      startLocalSinks({
        tenants,
        kafka,
        aws: awsClientConfig({ region: platform.region, endpoint: awsEndpoint }),
        log: say,
      }),
    );
    // Awaited below, after the consumers: a failure meanwhile is not an unhandled rejection.
    startingSinks.catch(() => {});
    const started = await Promise.allSettled(
      consumers.map(({ tenant, consumer }) => startOne(tenant, consumer)),
    );
    const [sinksStarted] = await Promise.allSettled([startingSinks]);
    // Consumers stop before the sinks, so the sinks deliver the last outputs the processors wrote.
    if (sinksStarted.status === 'fulfilled') {
      const running = sinksStarted.value;
      stack.push({ what: 'sinks', stop: () => running.stop() });
    }
    for (const result of started) if (result.status === 'fulfilled') runners.push(result.value);
    stack.push({
      what: 'consumers',
      // A batch still in flight after this is abandoned uncommitted: it is delivered again after a restart.
      deadlineMs: 5_000,
      stop: async () => void (await Promise.all(runners.map((r) => r.stop()))),
    });
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (sinksStarted.status === 'rejected') throw sinksStarted.reason;
    unlessAborted();
    const sinks = sinksStarted.value;
    const lookup = (groupId: string) => runners.find((runner) => runner.spec.groupId === groupId);
    const announce = (runner: ConsumerRunner) => {
      say(`consumer ${runner.spec.groupId}: ${runner.spec.topic} → ${runner.spec.output ?? '(no output)'}`);
      const { groupId } = runner.spec;
      observability?.registerConsumer(runner.spec, () => {
        const current = lookup(groupId);
        // A consumer removed from the manifest by a hot reload is not a failure of the runtime.
        if (!current) return { running: true, detail: 'removed from the manifest' };
        const state = current.stats().state;
        return { running: state === 'running', detail: state === 'running' ? undefined : state };
      });
    };
    for (const runner of runners) announce(runner);
    // `stratus replay` pauses and resumes a consumer of this process through these routes.
    observability?.server.use(consumerControlRoutes(lookup));

    for (const sink of sinks.running) {
      // The sink runner announces itself (topic → destination, group) through `log`.
      observability?.registerSink(sink.spec, () => ({ running: !sink.stopped }));
      observability?.sinkStatsSource(sink.spec, () => sink.sink.stats());
    }

    startupDone = true;
    let stopping: Promise<void> | undefined;
    return {
      tenants,
      brokers,
      awsEndpoint,
      kafka,
      consumers: runners,
      sinks: sinks.running,
      flushSinks: () => sinks.flush(),
      lakehouse: sinks.lakehouse,
      observability,
      metricsUrl: observability?.server.url,
      handlerOutput: (line) => void observability?.handlerOutput(line),
      consumer: lookup,
      startedAt,
      availability,
      processes: () => {
        const stores = awsService?.stores() ?? {};
        return {
          kafka: kafkaService?.current()?.pid,
          s3: stores.s3?.pid,
          dynamodb: stores.dynamodb?.pid,
          moto: stores.moto?.pid,
        };
      },
      restarts: () => ({
        kafka: kafkaService?.restarts() ?? 0,
        ...(awsService?.restarts() ?? { s3: 0, dynamodb: 0, moto: 0 }),
      }),
      async startConsumer(tenant, consumer) {
        const runner = await startOne(tenant, consumer);
        runners.push(runner);
        announce(runner);
        return runner;
      },
      async stopConsumer(groupId) {
        const runner = lookup(groupId);
        if (!runner) return;
        runners.splice(runners.indexOf(runner), 1);
        await runner.stop();
      },
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    // A part given up because of the signal fails in its own words ("start abandoned"): the cause is the stop.
    throw signal?.aborted ? new RuntimeStartAborted() : error;
  }
}
