/**
 * Observability of the local runtime in one object: Prometheus metrics, the lag sampler, the alarms and the
 * HTTP server for /metrics, /healthz and /readyz. The runtime creates it once, hands `observerFor(consumer)`
 * to each event-source emulator and `sinkStatsSource(sink, stats)` for each sink, and stops it last.
 *
 *   const obs = await createObservability({ tenants, brokers, awsEndpoint, port: platform.local.metricsPort });
 *   const observer = obs.observerFor(consumer);          // pass to the event-source emulator
 *   obs.registerConsumer(consumer, () => ({ running: emulator.running }));
 *   obs.sinkStatsSource(sink, () => sinkInstance.stats());
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
} from './alarms.ts';
import { type ConsumerTally, consumerObserver, type EventSourceObserver } from './consumer-observer.ts';
import { CounterWindow } from './counter-window.ts';
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
import { type SinkStatsFn, watchSinkStats } from './sink-stats.ts';

export type { AlarmState, AlarmStatus, AlarmTransition } from './alarms.ts';
export type { EventSourceObserver, InvocationOutcome } from './consumer-observer.ts';
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
  /** The event-source emulator's observer for one consumer. */
  observerFor(consumer: ConsumerSpec): EventSourceObserver;
  /** Reads a sink's running totals on every scrape; its `running` flag also feeds /readyz. */
  sinkStatsSource(sink: SinkSpec, stats: SinkStatsFn): void;
  /** Adds a consumer to /readyz: ready while `status().running`. */
  registerConsumer(consumer: ConsumerSpec, status: () => ComponentStatus): void;
  /** Adds a sink to /readyz (not needed when `sinkStatsSource` was given). */
  registerSink(sink: SinkSpec, status: () => ComponentStatus): void;
  /** Adds a readiness check of any other component. */
  registerCheck(name: string, check: ReadinessCheck): void;
  readiness(): Promise<ReadinessReport>;
  /** Takes a lag sample and evaluates the alarms on it now. */
  sampleNow(): Promise<{ sample: LagSample; transitions: AlarmTransition[] }>;
  stop(): Promise<void>;
}

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

  const evaluate = (sample: LagSample): AlarmTransition[] => {
    const values = new Map<string, number | undefined>();
    for (const group of sample.groups ?? []) {
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
  const kafka = new Kafka({ clientId: 'stratus-lag', brokers: options.brokers, logLevel: logLevel.NOTHING });
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

  const sinkCollectors: { collect(): void }[] = [];
  const server = await ObservabilityServer.start({ port: options.port, host: options.host });
  const startedAt = Date.now();
  const readiness = () => runChecks(checks);
  server
    .route('GET', '/metrics', async (_request, response) => {
      for (const collector of sinkCollectors) collector.collect();
      const body = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType });
      response.end(body);
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
    .route('GET', '/lag', (_request, response) => sendJson(response, 200, lag.latest ?? { pending: true }));

  if (options.sampleLag !== false) lag.start();

  return {
    metrics,
    server,
    alarms,
    lag,
    observerFor(consumer) {
      const tally: ConsumerTally = { invocations: 0, errors: 0 };
      const entry = {
        tally,
        invocations: new CounterWindow(errorWindowMs),
        errors: new CounterWindow(errorWindowMs),
      };
      // The counters start at zero now: the first datapoint covers what happens from here.
      entry.invocations.record(0);
      entry.errors.record(0);
      tallies.set(consumer.groupId, entry);
      return consumerObserver(metrics, consumer, tally);
    },
    sinkStatsSource(sink, stats) {
      sinkCollectors.push(watchSinkStats(metrics, sink, stats));
      const name = `${sink.tenant}.${sink.key}`;
      if (!checks.has(`sink:${name}`))
        checks.set(
          `sink:${name}`,
          componentRunning('sink', name, () => ({ running: stats().running })),
        );
    },
    registerConsumer(consumer, status) {
      checks.set(`consumer:${consumer.groupId}`, componentRunning('consumer', consumer.groupId, status));
    },
    registerSink(sink, status) {
      const name = `${sink.tenant}.${sink.key}`;
      checks.set(`sink:${name}`, componentRunning('sink', name, status));
    },
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
