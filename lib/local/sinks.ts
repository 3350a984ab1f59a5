/**
 * The manifests' sinks on the local runtime: one sink runner each (lib/local/sink), writing Iceberg tables and
 * S3 objects into the AWS emulator's Glue catalog and lakehouse bucket (the sink creates the bucket itself).
 */
import type { Kafka } from 'kafkajs';
import type { AwsClientConfig } from '../core/aws-client-config.ts';
import type { SinkSpec, TenantSpec } from '../manifest/spec.ts';
import { createLakehouse, type Lakehouse } from './sink/lakehouse.ts';
import { type RunningSink, startSink } from './sink/sink-runner.ts';

export interface LocalSink {
  spec: SinkSpec;
  sink: RunningSink;
  stopped: boolean;
}

export interface LocalSinks {
  lakehouse: Lakehouse;
  running: LocalSink[];
  /** Delivers what every sink buffers now (the demo does not wait for buffer intervals). */
  flush(): Promise<void>;
  /** Delivers the buffers and stops. */
  stop(): Promise<void>;
}

export async function startLocalSinks(options: {
  tenants: readonly TenantSpec[];
  kafka: Kafka;
  aws: AwsClientConfig;
  log: (line: string) => void;
}): Promise<LocalSinks> {
  const lakehouse = createLakehouse({ kind: 'aws', aws: options.aws });
  const running: LocalSink[] = [];
  const stopAll = async () => {
    await Promise.all(
      running.map(async (entry) => {
        if (entry.stopped) return;
        entry.stopped = true;
        await entry.sink.stop();
      }),
    );
  };
  // Started together: each joins its own consumer group, which can take a while (a previous run that was
  // killed leaves members behind until their session times out).
  const specs = options.tenants.flatMap((tenant) => tenant.sinks.map((spec) => ({ tenant, spec })));
  const started = await Promise.allSettled(
    specs.map(async ({ tenant, spec }) => {
      const topic = tenant.topics.find((t) => t.name === spec.topic);
      if (!topic)
        throw new Error(
          `sink ${tenant.name}.${spec.key} reads ${spec.topic}, which the tenant does not declare`,
        );
      const sink = await startSink(spec, topic, {
        kafka: options.kafka,
        lakehouse,
        log: options.log,
        // As the event source's: a member a killed run left behind holds the group's partitions for this long.
        sessionTimeoutMs: 10_000,
      });
      running.push({ spec, sink, stopped: false });
    }),
  );
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  return {
    lakehouse,
    running,
    flush: async () => void (await Promise.all(running.map((entry) => entry.sink.flush()))),
    stop: stopAll,
  };
}
