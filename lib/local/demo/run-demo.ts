/**
 * `stratus demo`: a finite end-to-end run. Start everything, produce N events per source topic (with poison
 * records), wait until every consumer has drained its topic, then account for every record from Kafka itself.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PRODUCER_CONFIG } from '../../core/kafka-producer.ts';
import { recordCoordinate } from '../../core/record-coordinate.ts';
import type { PlatformSpec, StratusSpec, TenantSpec } from '../../manifest/spec.ts';
import { namespacedTenant } from '../namespace.ts';
import { freePort } from '../process-utils.ts';
import { type Runtime, selectTenants, startRuntime } from '../runtime.ts';
import { scratchDir, statePaths } from '../state-dir.ts';
import { accountConsumers, type ConsumerAccount, topicsToRead } from './accounting.ts';
import { waitUntilDrained } from './drain.ts';
import { logPosition, readDroppedRecords } from './drop-evidence-log.ts';
import { generatorFor, sourceTopics } from './generators.ts';
import { demoMessages } from './messages.ts';
import { publish } from './publish.ts';
import { readTopics } from './read-topics.ts';
import { accountSinks, type SinkAccount } from './sink-accounting.ts';

export interface DemoOptions {
  spec: StratusSpec;
  /** @default every tenant */
  tenants?: string[];
  /** Events per source topic. */
  events: number;
  /**
   * Seed of the generators; the same seed produces the same events.
   * @default 42
   */
  seed?: number;
  /**
   * Use these running services (tests). The tenants then run under unique names (`payments-<run>`), as they do
   * when KAFKA_BROKERS is set, so earlier data on that broker never enters the numbers.
   */
  services?: { brokers: string[]; awsEndpoint: string };
  /**
   * How long to wait for the consumers to drain before giving up (what is left counts as lost).
   * @default 300_000
   */
  drainTimeoutMs?: number;
  /**
   * The file the handlers' output goes to (the `stratus demo` command captures it there); the SDK's drop evidence
   * is read back from the part written during the run.
   * @default demoFunctionLog(spec.platform)
   */
  functionLog?: string;
  onProgress?: (line: string) => void;
}

/** Where `stratus demo` writes the handlers' output: `<stateDir>/logs/demo-functions.log`. */
export function demoFunctionLog(platform: PlatformSpec): string {
  return path.join(statePaths(platform).logDir, 'demo-functions.log');
}

export interface DemoSummary {
  /** True when nothing was lost and nothing duplicated. */
  ok: boolean;
  runId: string;
  /** Tenants as they ran (suffixed with the run id on a shared broker). */
  namespaced: boolean;
  eventsPerSourceTopic: number;
  /** Records produced to source topics, per topic. */
  produced: Record<string, number>;
  /** Consumers' and sinks' losses summed. */
  lost: number;
  /** Consumers' and sinks' duplicates summed. */
  duplicates: number;
  /** Records the processors dropped on purpose (by the SDK's drop evidence), summed over consumers. */
  dropped: number;
  /** Poison records delivered, or valid records dead-lettered (see ConsumerAccount.misrouted). */
  misrouted: number;
  /** From the first produced record until every consumer was drained (the sinks' accounting included). */
  durationMs: number;
  /** From the first produced record until every consumer had committed its topic's end: the drain alone. */
  drainMs: number;
  /** Records settled by all consumers (input records summed over consumers) per second of `durationMs`. */
  recordsPerSecond: number;
  /** Why the run could not finish, when it could not (the numbers then show what was left). */
  error?: string;
  tenants: Array<{ tenant: string; consumers: ConsumerAccount[]; sinks: SinkAccount[] }>;
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const say = options.onProgress ?? (() => {});
  const runId = randomBytes(3).toString('hex');
  const selected = selectTenants(options.spec, options.tenants);
  // On a broker that may hold other data, the demo's tenants get their own names and so their own topics.
  const namespaced = options.services !== undefined || Boolean(process.env.KAFKA_BROKERS);
  const tenants: TenantSpec[] = namespaced ? selected.map((t) => namespacedTenant(t, runId)) : selected;
  if (namespaced)
    say(
      `shared broker: running the tenants as ${tenants.map((t) => t.name).join(', ')} so earlier data is left out`,
    );
  const sources = sourceTopics(tenants);
  const functionLog = options.functionLog ?? demoFunctionLog(options.spec.platform);
  const logStart = logPosition(functionLog);
  if (sources.length === 0)
    throw new Error('the selected tenants have no consumers, so there is nothing to demo');

  // Throwaway broker and emulator directories and free ports: every demo starts empty and never disturbs
  // `stratus dev` (whose stores lock their own directories).
  const scratch = options.services ? undefined : scratchDir(options.spec.platform, 'demo');
  let runtime: Runtime | undefined;
  // Records a mapping gave up on without an on-failure destination (`onFailure: none`): Lambda discards them,
  // which leaves nothing in Kafka to tell them from a loss.
  const discarded = new Map<string, Set<string>>();
  try {
    runtime = await startRuntime({
      observerFor: (groupId) => ({
        onDeadLettered: ({ records, topic }) => {
          if (topic !== undefined) return;
          const seen = discarded.get(groupId) ?? new Set<string>();
          for (const r of records) seen.add(recordCoordinate(r.topic, r.partition, r.offset));
          discarded.set(groupId, seen);
        },
      }),
      spec: { ...options.spec, tenants },
      services: options.services,
      kafkaDataDir: scratch && path.join(scratch.dir, 'kafka'),
      awsDataDir: scratch && path.join(scratch.dir, 'aws'),
      pickKafkaPorts: async () => ({ port: await freePort(), controllerPort: await freePort() }),
      logDir: statePaths(options.spec.platform).logDir,
      // The demo needs no metrics server, and so never collides with a running `stratus dev` on its port.
      metricsPort: false,
      ports: options.services
        ? undefined
        : { kafka: await freePort(), kafkaController: await freePort(), aws: await freePort() },
      onProgress: say,
    });
    const kafka = runtime.kafka;
    const producer = kafka.producer(PRODUCER_CONFIG);
    await producer.connect();
    const produced: Record<string, number> = {};
    const started = performance.now();
    try {
      await Promise.all(
        sources.map(async ({ topic }, index) => {
          const generator = generatorFor(topic, (options.seed ?? 42) + index);
          if (generator.unsatisfied !== undefined)
            say(
              `cannot make an event the schema of ${topic.name} accepts (${generator.unsatisfied}): its "valid" events will be dead-lettered and counted as misrouted`,
            );
          produced[topic.name] = await publish({
            producer,
            topic: topic.name,
            messages: demoMessages(generator, { count: options.events, runId }),
          });
          say(`produced ${produced[topic.name]} ${generator.description} to ${topic.name}`);
        }),
      );
    } finally {
      await producer.disconnect();
    }

    const consumers = tenants.flatMap((tenant) => tenant.consumers);
    const admin = kafka.admin();
    await admin.connect();
    let error: string | undefined;
    let lastReport = 0;
    try {
      say('waiting until every consumer has drained its topic …');
      await waitUntilDrained(admin, consumers, {
        timeoutMs: options.drainTimeoutMs ?? 300_000,
        onProgress: ({ lag }) => {
          if (Date.now() - lastReport < 5_000) return;
          lastReport = Date.now();
          say(
            `  behind: ${Object.entries(lag)
              .map(([group, n]) => `${group} ${n}`)
              .join(', ')}`,
          );
        },
      });
    } catch (drainError) {
      error = (drainError as Error).message;
    }
    const drainMs = performance.now() - started;
    const sinks = error === undefined ? await accountSinks(runtime, admin, say) : [];
    const durationMs = performance.now() - started;
    const committed = new Map<string, Map<number, number>>();
    for (const consumer of consumers.filter((c) => !c.output)) {
      const [group] = await admin.fetchOffsets({ groupId: consumer.groupId, topics: [consumer.topic] });
      committed.set(
        consumer.groupId,
        new Map((group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)])),
      );
    }
    await admin.disconnect();

    say('reading every topic back to account for each record …');
    const records = await readTopics(kafka, topicsToRead(tenants));
    const dropped = readDroppedRecords(functionLog, logStart);
    const accounts = accountConsumers({ tenants, records, committed, dropped, discarded });
    const sum = (field: 'lost' | 'duplicates' | 'misrouted' | 'input' | 'dropped') =>
      accounts.reduce((total, account) => total + account[field], 0);
    const unread = sinks.filter((sink) => sink.error);
    if (unread.length > 0 && error === undefined)
      error = `could not read ${unread.map((sink) => `${sink.sink} (${sink.error})`).join(', ')}`;
    const lost = sum('lost') + sinks.reduce((total, sink) => total + sink.lost, 0);
    const duplicates = sum('duplicates') + sinks.reduce((total, sink) => total + sink.duplicates, 0);
    return {
      ok: lost === 0 && duplicates === 0 && error === undefined,
      runId,
      namespaced,
      eventsPerSourceTopic: options.events,
      produced,
      lost,
      duplicates,
      dropped: sum('dropped'),
      misrouted: sum('misrouted'),
      durationMs: Math.round(durationMs),
      drainMs: Math.round(drainMs),
      recordsPerSecond: Math.round(sum('input') / (durationMs / 1000)),
      error,
      tenants: tenants.map((tenant) => ({
        tenant: tenant.name,
        consumers: accounts.filter((account) => account.tenant === tenant.name),
        sinks: sinks.filter((sink) => sink.tenant === tenant.name),
      })),
    };
  } finally {
    await runtime?.stop();
    scratch?.remove();
  }
}
