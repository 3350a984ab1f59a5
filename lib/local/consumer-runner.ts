/**
 * One manifest consumer running locally: its handler in a FunctionHost (worker threads with the consumer's
 * environment contract) fed by the event-source emulator, as Lambda + its Kafka event-source mapping are on AWS.
 */
import { Kafka, logLevel } from 'kafkajs';
import { buildMskEvent, eventRecords, type MskEvent } from '../core/msk-event.ts';
import { localClusterArn, tenantClientId } from '../core/naming.ts';
import type { ConsumerSpec, PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import {
  type EventSourceMapping,
  type EventSourceObserver,
  type EventSourceStats,
  type PlatformAvailability,
  startEventSourceMapping,
} from './event-source/index.ts';
import { type LocalFunctionEnvironmentInput, localFunctionEnvironment } from './function-host/environment.ts';
import { FunctionHost, functionHostOptionsFor } from './function-host/index.ts';

export interface ConsumerRunnerOptions {
  platform: PlatformSpec;
  tenant: TenantSpec;
  consumer: ConsumerSpec;
  kafka: Kafka;
  brokers: string[];
  awsEndpoint: string;
  /**
   * Powertools log level of the handler.
   * @default platform.functionDefaults.logLevel
   */
  logLevel?: string;
  observer?: EventSourceObserver;
  /** Outages of the broker and the stores the runtime supervises. */
  availability?: PlatformAvailability;
  /** Problems worth a line (a handler that fails to initialise). */
  log?: (line: string) => void;
  /**
   * A host made by {@link consumerFunctionHost} for this consumer, with these brokers and endpoint, whose first
   * execution environment may already be initialising (lib/local/early-environments.ts).
   * @default a new host
   */
  prewarmed?: FunctionHost;
}

/** The FunctionHost a manifest consumer runs in locally: the manifest's settings, the local environment. */
export function consumerFunctionHost(options: LocalFunctionEnvironmentInput): FunctionHost {
  const { platform, consumer } = options;
  return new FunctionHost(
    functionHostOptionsFor(consumer, {
      rootDir: platform.rootDir,
      env: localFunctionEnvironment(options),
      region: platform.region,
    }),
  );
}

export interface ConsumerRunner {
  spec: ConsumerSpec;
  /** Leaves the group cleanly (so `stratus replay` may reset its offsets) and stops delivery. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stats(): EventSourceStats;
  /**
   * Hot reload: new invocations go to fresh execution environments (which import the handler anew, like a new
   * Lambda version); the old ones finish their invocations in flight and are then terminated. The mapping
   * is not touched, so offsets and ordering are exactly as without a reload. `firstRecord` settles with the
   * time the first invocation with records succeeded on the new environments.
   */
  replaceFunction(): Promise<{ firstRecord: Promise<number> }>;
  /** Finishes the batch in flight, commits, leaves the group and ends the function's workers. */
  stop(): Promise<void>;
}

export async function startConsumerRunner(options: ConsumerRunnerOptions): Promise<ConsumerRunner> {
  const { platform, tenant, consumer } = options;
  const eventSourceArn = localClusterArn(platform.region, platform.cluster.name);
  const newHost = () => consumerFunctionHost(options);
  let host = options.prewarmed ?? newHost();
  // The mapping invokes through this, so a hot reload can swap the host underneath it.
  let onNewCode: ((at: number) => void) | undefined;
  const invoke = async (event: MskEvent) => {
    const current = host;
    const result = await current.invoke(event);
    if (onNewCode && current === host && result.ok && eventRecords(event).length > 0) {
      onNewCode(Date.now());
      onNewCode = undefined;
    }
    return result;
  };
  const warmUp = () => host.invoke(buildMskEvent([], eventSourceArn, options.brokers.join(',')));
  let mapping: EventSourceMapping;
  let closing = false;
  try {
    // One execution environment is started and initialised while the group is joined (like provisioned
    // concurrency of 1): an empty event runs the handler's init phase, so the first records do not wait for
    // a cold start. Handlers see `records: {}`; the SDK answers it with no failures.
    const warm = warmUp();
    [mapping] = await Promise.all([
      startEventSourceMapping({
        consumer,
        // With a consume quota, the mapping fetches under the tenant's client id, as the quota is set on it.
        kafka:
          options.tenant.quotas?.consumeBytesPerSecond === undefined
            ? options.kafka
            : new Kafka({
                clientId: tenantClientId(tenant.name),
                brokers: options.brokers,
                logLevel: logLevel.NOTHING,
              }),
        invoke,
        bootstrapServers: options.brokers.join(','),
        eventSourceArn,
        observer: options.observer,
        availability: options.availability,
      }),
      warm.then((result) => {
        // Not fatal: a handler may reject an empty event; a broken import shows up here first, though.
        if (!result.ok && !closing)
          options.log?.(
            `${consumer.groupId}: the handler failed on its warm-up invocation: ${result.error.class}: ${result.error.message}`,
          );
      }),
    ]);
  } catch (error) {
    // The warm-up's environment is terminated with the host: that is not the handler's failure.
    closing = true;
    await host.close();
    throw error;
  }
  return {
    spec: consumer,
    pause: () => mapping.pause(),
    resume: () => mapping.resume(),
    stats: () => mapping.stats(),
    async replaceFunction() {
      const retired = host;
      const next = newHost();
      // The old version keeps processing while the new one loads; then invocations switch over.
      await next.prewarm();
      host = next;
      const firstRecord = new Promise<number>((resolve) => {
        onNewCode = resolve;
      });
      await retired.drain();
      await retired.close();
      return { firstRecord };
    },
    async stop() {
      try {
        await mapping.stop();
      } finally {
        await host.close();
      }
    },
  };
}
