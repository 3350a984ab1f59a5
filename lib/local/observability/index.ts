/**
 * Observability of the local runtime in one object: Prometheus metrics, the lag sampler, the alarms and the
 * HTTP server for /metrics, /healthz and /readyz. The runtime creates it once, hands `observerFor(consumer)`
 * to each event-source emulator and `sinkStatsSource(sink, stats)` for each sink, and stops it last.
 *
 *   const obs = await createObservability({ tenants, brokers, awsEndpoint, port: platform.local.metricsPort });
 *   startRuntime({ …, observerFor: obs.observerFor });    // one observer per consumer group
 *   obs.registerConsumer(groupId, () => ({ running: mapping.stats().state === 'running', detail: … }));
 *   obs.sinkStatsSource(sink, () => runningSink.stats());
 *   obs.registerSink(sink, () => ({ running: !stopped }));
 *   functionStdoutLine → obs.handlerOutput(line);         // the SDK's EMF metrics
 *   obs.server.route('POST', /^\/control\/consumers\/([^/]+)\/pause$/, handler);
 *   …
 *   await obs.stop();
 */
import { Kafka, logLevel } from 'kafkajs';
import type { ConsumerSpec, SinkSpec, TenantSpec } from '../../manifest/spec.ts';
import { lagTargets } from '../../ops/lag.ts';
import {
  ALARM_STATES,
  AlarmEvaluator,
  type AlarmEvaluatorOptions,
  type AlarmTransition,
  alarmDefinitions,
  formatTransition,
  qualityAlarmResource,
  sinkAlarmResource,
} from './alarms.ts';
import {
  type ConsumerTally,
  consumerLabels,
  consumerObserver,
  type EventSourceObserver,
} from './consumer-observer.ts';
import { CounterWindow } from './counter-window.ts';
import { emfReader } from './emf.ts';
import { type LagSample, LagSampler } from './lag-sampler.ts';
import { StratusMetrics } from './metrics.ts';
import {
  type ComponentStatus,
  componentRunning,
  endpointReachable,
  kafkaReachable,
  type ReadinessCheck,
  type ReadinessReport,
  runChecks,
} from './readiness.ts';
import { ObservabilityServer, sendJson } from './server.ts';
import { type SinkStatsFn, sinkLabels, watchSinkStats } from './sink-stats.ts';

export type { AlarmState, AlarmStatus, AlarmTransition } from './alarms.ts';
export type { EventSourceObserver } from './consumer-observer.ts';
export type { LagSample } from './lag-sampler.ts';
export { CLOUDWATCH_EQUIVALENTS, StratusMetrics } from './metrics.ts';
export type { CheckResult, ComponentStatus, ReadinessReport } from './readiness.ts';
export type { FallbackHandler, ObservabilityServer, RouteHandler } from './server.ts';
export type { SinkStats, SinkStatsFn } from './sink-stats.ts';

export interface ObservabilityOptions {
  /** The tenants the runtime runs: their consumers' lag is sampled and their alert thresholds evaluated. */
  tenants: TenantSpec[];
  /** Bootstrap servers of the broker. */
  brokers: string[];
  /** Endpoint of the AWS emulator; when omitted, /readyz does not check one. */
  awsEndpoint?: string;
  /** Port of the HTTP server (`local.metricsPort`); 0 picks a free one. */
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Time between lag samples (and alarm evaluations).
   * @default 5000
   */
  lagIntervalMs?: number;
  /**
   * Window the consumption and produce rates are measured over.
   * @default 30_000
   */
  rateWindowMs?: number;
  /** CloudWatch-style evaluation settings; both default to 1 (a single breaching datapoint alarms). */
  alarms?: Pick<AlarmEvaluatorOptions, 'evaluationPeriods' | 'datapointsToAlarm'> & {
    /**
     * Period of the error-rate alarm (errors ÷ invocations summed over it).
     * @default 60_000
     */
    errorRateWindowMs?: number;
  };
  /**
   * Timeout of each readiness check.
   * @default 2000
   */
  checkTimeoutMs?: number;
  /**
   * Sample lag in the background from the start; tests turn it off and call `sampleNow()`.
   * @default true
   */
  sampleLag?: boolean;
  /**
   * Node process metrics (CPU, heap, event loop) in /metrics.
   * @default true
   */
  processMetrics?: boolean;
  /** Where alarm transitions and sampler problems are logged. @default a line on stderr */
  log?: (line: string) => void;
}

export interface Observability {
  readonly metrics: StratusMetrics;
  readonly server: ObservabilityServer;
  readonly alarms: AlarmEvaluator;
  readonly lag: LagSampler;
  /**
   * The event-source emulator's observer for one consumer, by spec or group id; undefined for a group that is
   * not a consumer of the tenants (the runtime's `observerFor` option takes this function as it is).
   */
  observerFor(consumer: ConsumerSpec | string): EventSourceObserver | undefined;
  /** Reads a sink's running totals (`RunningSink.stats`) on every scrape. */
  sinkStatsSource(sink: SinkSpec, stats: SinkStatsFn): void;
  /** Adds a consumer to /readyz and `stratus_consumer_running`: ready while `status().running`. */
  registerConsumer(consumer: ConsumerSpec | string, status: () => ComponentStatus): void;
  /** Adds a sink to /readyz and `stratus_sink_running`. */
  registerSink(sink: SinkSpec, status: () => ComponentStatus): void;
  /** One line a function printed: the SDK's EMF metrics in it are counted; returns false for other lines. */
  handlerOutput(line: string): boolean;
  /** Adds a readiness check of any other component. */
  registerCheck(name: string, check: ReadinessCheck): void;
  readiness(): Promise<ReadinessReport>;
  /** Takes a lag sample and evaluates the alarms on it now. */
  sampleNow(): Promise<{ sample: LagSample; transitions: AlarmTransition[] }>;
  stop(): Promise<void>;
}

/** Five minutes: the window of a quality rule's failure rate, as the CDK's alarm period. */
const QUALITY_WINDOW_MS = 5 * 60_000;

/** Five minutes: the manifest's `dlqRecords` counts records reaching the DLQ within this window. */
const DLQ_WINDOW_MS = 5 * 60_000;

export async function createObservability(options: ObservabilityOptions): Promise<Observability> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[stratus] ${line}\n`));
  const metrics = new StratusMetrics({ processMetrics: options.processMetrics });
  const checkTimeout = options.checkTimeoutMs ?? 2_000;
  const checks = new Map<string, ReadinessCheck>([['kafka', kafkaReachable(options.brokers, checkTimeout)]]);
  if (options.awsEndpoint)
    checks.set('aws', endpointReachable('AWS emulator', options.awsEndpoint, checkTimeout));

  const definitions = alarmDefinitions(options.tenants);
  const alarms = new AlarmEvaluator(definitions, {
    ...options.alarms,
    onTransition: (transition) => {
      const { alarm } = transition;
      const labels = { tenant: alarm.tenant, alarm: alarm.kind, resource: alarm.resource };
      for (const state of ALARM_STATES)
        metrics.alarmState.set({ ...labels, state }, state === transition.to ? 1 : 0);
      metrics.alarmTransitions.inc({ ...labels, from: transition.from, to: transition.to });
      log(formatTransition(transition));
    },
  });
  for (const alarm of alarms.list()) {
    const labels = { tenant: alarm.tenant, alarm: alarm.kind, resource: alarm.resource };
    for (const state of ALARM_STATES)
      metrics.alarmState.set({ ...labels, state }, state === alarm.state ? 1 : 0);
    metrics.alarmThreshold.set(labels, alarm.threshold);
  }

  const tallies = new Map<
    string,
    { tally: ConsumerTally; errors: CounterWindow; invocations: CounterWindow }
  >();
  const dlqWindows = new Map(
    options.tenants.map((tenant) => [tenant.dlq.name, new CounterWindow(DLQ_WINDOW_MS)]),
  );
  const errorWindowMs = options.alarms?.errorRateWindowMs ?? 60_000;
  /** Running totals of each quality rule, from the SDK's EMF (see handlerOutput below). */
  const qualityTallies = new Map<
    string,
    { passed: number; failed: number; passedWindow: CounterWindow; failedWindow: CounterWindow }
  >();

  /** Sinks with table expectations (`expect`): their running totals, read at every evaluation. */
  const expectedSinks = new Map<string, { stats: SinkStatsFn; since: number; volume?: CounterWindow }>();

  const evaluate = (sample: LagSample): AlarmTransition[] => {
    const values = new Map<string, number | undefined>();
    for (const [resource, entry] of expectedSinks) {
      const stats = entry.stats();
      // "No row within expect.freshness": before the first delivery, counted from the start, as missing
      // data is breaching for this alarm on AWS (lib/aws/contract-alarms.ts).
      values.set(
        `sinkFreshnessSeconds/${resource}`,
        (sample.at - (stats.lastDeliveryAt ?? entry.since)) / 1000,
      );
      if (entry.volume) {
        entry.volume.record(stats.rowsDelivered, sample.at);
        // CloudWatch evaluates whole periods: no datapoint until one full period has passed.
        const whole = sample.at - entry.since >= entry.volume.windowMs;
        values.set(`sinkVolumeRows/${resource}`, whole ? (entry.volume.increase() ?? 0) : undefined);
      }
    }
    for (const group of sample.groups ?? []) {
      if (group.error) continue;
      values.set(`lagSeconds/${group.target.groupId}`, group.timeLagSeconds ?? undefined);
      values.set(`lagRecords/${group.target.groupId}`, group.offsetLag);
    }
    for (const [groupId, entry] of tallies) {
      entry.invocations.record(entry.tally.invocations, sample.at);
      entry.errors.record(entry.tally.errors, sample.at);
      const invocations = entry.invocations.increase() ?? 0;
      const errors = entry.errors.increase() ?? 0;
      // No invocations in the period is not breaching (treatMissingData: notBreaching on AWS).
      values.set(`errorRatePercent/${groupId}`, invocations === 0 ? 0 : (100 * errors) / invocations);
    }
    for (const [resource, tally] of qualityTallies) {
      tally.passedWindow.record(tally.passed, sample.at);
      tally.failedWindow.record(tally.failed, sample.at);
      const failed = tally.failedWindow.increase() ?? 0;
      const evaluated = failed + (tally.passedWindow.increase() ?? 0);
      // No records in the window is not breaching, as on AWS (treatMissingData: notBreaching).
      values.set(`qualityRatePercent/${resource}`, evaluated === 0 ? 0 : (100 * failed) / evaluated);
    }
    for (const [topic, end] of sample.topicEnds ?? []) {
      const window = dlqWindows.get(topic);
      window?.record(end, sample.at);
      values.set(`dlqRecords/${topic}`, window?.increase());
    }
    const transitions = alarms.evaluate(values, sample.at);
    for (const alarm of alarms.list())
      metrics.alarmValue.set(
        { tenant: alarm.tenant, alarm: alarm.kind, resource: alarm.resource },
        alarm.value ?? Number.NaN,
      );
    return transitions;
  };

  let lastSampleError: string | undefined;
  const kafka = new Kafka({
    clientId: 'stratus-lag',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    // A sample against a broker that is down should fail within a second, not after kafkajs' 8 s of retries.
    retry: { retries: 2 },
  });
  const lag = new LagSampler({
    kafka,
    targets: lagTargets(options.tenants),
    watchTopics: [...dlqWindows.keys()],
    metrics,
    intervalMs: options.lagIntervalMs,
    rateWindowMs: options.rateWindowMs,
    onSample: (sample) => {
      // Log a failing sampler once per distinct error, not every five seconds.
      if (sample.error && sample.error !== lastSampleError) log(`lag sampling failed: ${sample.error}`);
      if (!sample.error && lastSampleError) log('lag sampling recovered');
      lastSampleError = sample.error;
      if (options.sampleLag !== false) evaluate(sample);
    },
  });

  const consumers = new Map(
    options.tenants.flatMap((tenant) =>
      tenant.consumers.map((consumer) => [consumer.groupId, consumer] as const),
    ),
  );
  // A consumer handed over as a spec is remembered: one a hot reload starts was not among the tenants at start,
  // and its metrics and handler output are looked up by group id like the others'.
  const findConsumer = (consumer: ConsumerSpec | string) => {
    if (typeof consumer === 'string') return consumers.get(consumer);
    consumers.set(consumer.groupId, consumer);
    return consumer;
  };
  const handlerOutput = emfReader(
    metrics,
    (groupId) => consumers.get(groupId)?.topic,
    (groupId, stage, rule, passed, failed) => {
      const key = qualityAlarmResource(groupId, stage, rule);
      let tally = qualityTallies.get(key);
      if (!tally) {
        // The rule's totals start at zero now, so its first counts are an increase within the window.
        tally = {
          passed: 0,
          failed: 0,
          passedWindow: new CounterWindow(QUALITY_WINDOW_MS),
          failedWindow: new CounterWindow(QUALITY_WINDOW_MS),
        };
        tally.passedWindow.record(0, Date.now());
        tally.failedWindow.record(0, Date.now());
      }
      tally.passed += passed;
      tally.failed += failed;
      qualityTallies.set(key, tally);
    },
  );
  // Collected on every scrape: sink totals, and whether each consumer and sink runs.
  const collectors: (() => void)[] = [];
  const server = await ObservabilityServer.start({ port: options.port, host: options.host });
  const startedAt = Date.now();
  const readiness = () => runChecks(checks);
  server
    .route('GET', '/metrics', async (_request, response) => {
      for (const collect of collectors) collect();
      const body = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType });
      response.end(body);
    })
    // The same figures as /metrics for programs (the portal): prom-client's JSON form of the registry.
    .route('GET', '/metrics.json', async (_request, response) => {
      for (const collect of collectors) collect();
      sendJson(response, 200, await metrics.registry.getMetricsAsJSON());
    })
    .route('GET', '/healthz', (_request, response) =>
      sendJson(response, 200, {
        status: 'up',
        pid: process.pid,
        uptimeSeconds: (Date.now() - startedAt) / 1000,
      }),
    )
    .route('GET', '/readyz', async (_request, response) => {
      const report = await readiness();
      sendJson(response, report.ready ? 200 : 503, {
        status: report.ready ? 'ready' : 'not ready',
        ...report,
      });
    })
    .route('GET', '/alarms', (_request, response) => sendJson(response, 200, { alarms: alarms.list() }))
    .route('GET', '/lag', (_request, response) => {
      const latest = lag.latest;
      // A Map does not survive JSON.stringify: the DLQs' log ends go out as an object.
      sendJson(
        response,
        200,
        latest ? { ...latest, topicEnds: Object.fromEntries(latest.topicEnds ?? []) } : { pending: true },
      );
    });

  if (options.sampleLag !== false) lag.start();

  return {
    metrics,
    server,
    alarms,
    lag,
    observerFor(consumer) {
      const spec = findConsumer(consumer);
      if (!spec) return undefined;
      const tally: ConsumerTally = { invocations: 0, errors: 0 };
      const entry = {
        tally,
        invocations: new CounterWindow(errorWindowMs),
        errors: new CounterWindow(errorWindowMs),
      };
      // The counters start at zero now: the first datapoint covers what happens from here.
      entry.invocations.record(0);
      entry.errors.record(0);
      tallies.set(spec.groupId, entry);
      return consumerObserver(metrics, spec, tally);
    },
    sinkStatsSource(sink, stats) {
      const watcher = watchSinkStats(metrics, sink, stats);
      collectors.push(() => watcher.collect());
      const { freshnessMs, volume } = sink.expectations ?? {};
      if (freshnessMs !== undefined || volume) {
        const since = Date.now();
        const window = volume ? new CounterWindow(volume.periodMs) : undefined;
        window?.record(stats().rowsDelivered, since);
        expectedSinks.set(sinkAlarmResource(sink), { stats, since, volume: window });
      }
    },
    registerConsumer(consumer, status) {
      const groupId = typeof consumer === 'string' ? consumer : consumer.groupId;
      const check = componentRunning('consumer', groupId, status);
      checks.set(`consumer:${groupId}`, check);
      const spec = findConsumer(consumer);
      if (spec)
        collectors.push(() => metrics.consumerRunning.set(consumerLabels(spec), safeRunning(status) ? 1 : 0));
    },
    registerSink(sink, status) {
      const name = `${sink.tenant}.${sink.key}`;
      checks.set(`sink:${name}`, componentRunning('sink', name, status));
      collectors.push(() => metrics.sinkRunning.set(sinkLabels(sink), safeRunning(status) ? 1 : 0));
    },
    handlerOutput,
    registerCheck(name, check) {
      checks.set(name, check);
    },
    readiness,
    async sampleNow() {
      const sample = await lag.sample();
      // With background sampling on, onSample already evaluated this sample.
      const transitions = options.sampleLag === false ? evaluate(sample) : [];
      return { sample, transitions };
    },
    async stop() {
      await lag.stop();
      await server.close();
    },
  };
}

function safeRunning(status: () => ComponentStatus): boolean {
  try {
    return status().running;
  } catch {
    return false;
  }
}
