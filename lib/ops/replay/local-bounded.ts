/**
 * `stratus replay --to` and `--into <sandbox>` on the local runtime: the consumer's handler runs in a
 * FunctionHost with the environment `stratus dev` gives it, fed by a bounded replay in a temporary group.
 *
 * - `--to` without `--into`: replays what the live group already processed in [from, to) — outputs go to the
 *   live output topic (idempotent consumers and sinks absorb the repeats); the live group is not touched.
 * - `--into <sandbox>`: replays every record in [from, to or now) with the live pipeline untouched: outputs go
 *   to `<tenant>.<output>.sandbox-<name>`, the function's idempotency keys live under a sandbox function name,
 *   and each sink of the output topic delivers the sandbox topic into `<table>_sandbox_<name>`. The sandbox
 *   topic and table stay for inspection.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { awsClientConfig } from '../../core/aws-client-config.ts';
import { FUNCTION_ENV } from '../../core/function-env.ts';
import {
  consumerFunctionName,
  localClusterArn,
  replayGroupId,
  sandboxTableName,
  sandboxTopicName,
} from '../../core/naming.ts';
import { localFunctionEnvironment } from '../../local/function-host/environment.ts';
import { FunctionHost } from '../../local/function-host/index.ts';
import { createLakehouse } from '../../local/sink/lakehouse.ts';
import { type RunningSink, startSink } from '../../local/sink/sink-runner.ts';
import { createTopicsReadable } from '../../local/topics.ts';
import type { ConsumerSpec, PlatformSpec, TenantSpec } from '../../manifest/spec.ts';
import type { OffsetRange } from '../shared/read-range.ts';
import { type BoundedReplayResult, runBoundedReplay } from './bounded.ts';
import type { ReplayPlan } from './plan.ts';

export interface LocalBoundedReplayOptions {
  kafka: Kafka;
  brokers: string[];
  /** The AWS emulator `stratus dev` runs (idempotency table, lakehouse). */
  awsEndpoint: string;
  platform: PlatformSpec;
  tenant: TenantSpec;
  consumer: ConsumerSpec;
  plan: ReplayPlan;
  /** Replay into this sandbox instead of the live outputs. */
  sandbox?: string;
}

export interface LocalBoundedReplayResult extends BoundedReplayResult {
  groupId: string;
  /** With a sandbox: where the outputs and tables went. */
  sandbox?: { outputTopic?: string; tables: string[] };
}

/**
 * The ranges a bounded replay delivers: up to what the live group has processed for `--to` alone (the rest the
 * live consumer will process anyway), the whole window for a sandbox.
 */
export function boundedRanges(plan: ReplayPlan, sandbox: boolean, highs: Map<number, string>): OffsetRange[] {
  return plan.partitions.map((partition) => {
    const end = partition.end ?? highs.get(partition.partition) ?? partition.target;
    if (sandbox) return { partition: partition.partition, from: partition.target, to: end };
    const committed = partition.committed ?? partition.target;
    const to = BigInt(end) < BigInt(committed) ? end : committed;
    return { partition: partition.partition, from: partition.target, to };
  });
}

export async function runLocalBoundedReplay(
  options: LocalBoundedReplayOptions,
): Promise<LocalBoundedReplayResult> {
  const { platform, tenant, consumer, kafka, sandbox } = options;
  const admin = kafka.admin();
  await admin.connect();
  let highs: Map<number, string>;
  try {
    highs = new Map((await admin.fetchTopicOffsets(consumer.topic)).map((p) => [p.partition, p.high]));
  } finally {
    await admin.disconnect();
  }
  const label = sandbox
    ? `sandbox-${sandbox}`
    : `replay-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const groupId = replayGroupId(tenant.name, consumer.key, label);
  const env = localFunctionEnvironment({
    platform,
    tenant,
    consumer,
    brokers: options.brokers,
    awsEndpoint: options.awsEndpoint,
  });
  let functionName = consumerFunctionName(tenant.name, consumer.key);
  const sinks: RunningSink[] = [];
  const tables: string[] = [];
  let outputTopic: string | undefined;
  if (sandbox) {
    // A function name of its own: the SDK prefixes idempotency keys with it, so the live run's COMPLETED
    // records do not make the sandbox skip everything.
    const sandboxConsumer = `${consumer.key}-sandbox-${sandbox}`;
    env[FUNCTION_ENV.consumer] = sandboxConsumer;
    functionName = consumerFunctionName(tenant.name, sandboxConsumer);
    env.AWS_LAMBDA_FUNCTION_NAME = functionName;
    // Invalid records are reported, not sent to the live DLQ.
    delete env[FUNCTION_ENV.dlqTopic];
    if (consumer.outputKey && consumer.output) {
      outputTopic = sandboxTopicName(tenant.name, consumer.outputKey, sandbox);
      env[FUNCTION_ENV.outputTopic] = outputTopic;
      sinks.push(...(await startSandboxSinks(options, outputTopic, tables)));
    }
  }
  const host = new FunctionHost({
    handlerFile: consumer.handlerFile,
    rootDir: platform.rootDir,
    functionName,
    env,
    timeoutMs: consumer.timeoutMs,
    memoryMb: consumer.memoryMb,
    region: platform.region,
  });
  try {
    const result = await runBoundedReplay({
      kafka,
      consumer,
      groupId,
      ranges: boundedRanges(options.plan, sandbox !== undefined, highs),
      invoke: host.invoke,
      bootstrapServers: options.brokers.join(','),
      eventSourceArn: localClusterArn(platform.region, platform.cluster.name),
    });
    if (outputTopic) await drainSinks(kafka, outputTopic, sinks);
    return { ...result, groupId, ...(sandbox ? { sandbox: { outputTopic, tables } } : {}) };
  } finally {
    await host.close();
    await Promise.all(sinks.map((sink) => sink.stop()));
  }
}

/** Creates the sandbox output topic (like the output topic) and starts a sandbox copy of each of its sinks. */
async function startSandboxSinks(
  options: LocalBoundedReplayOptions,
  outputTopic: string,
  tables: string[],
): Promise<RunningSink[]> {
  const { tenant, consumer, kafka, sandbox = '' } = options;
  const output = tenant.topics.find((topic) => topic.name === consumer.output);
  if (!output) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(outputTopic))
      await createTopicsReadable(admin, [{ topic: outputTopic, numPartitions: output.partitions }]);
  } finally {
    await admin.disconnect();
  }
  const lakehouse = createLakehouse({
    kind: 'aws',
    aws: awsClientConfig({ region: options.platform.region, endpoint: options.awsEndpoint }),
  });
  const running: RunningSink[] = [];
  for (const sink of tenant.sinks.filter((candidate) => candidate.topic === output.name)) {
    const table = sandboxTableName(sink.table, sandbox);
    tables.push(
      sink.format === 'iceberg' ? `${sink.database}.${table}` : `${sink.prefix}sandbox-${sandbox}/`,
    );
    running.push(
      await startSink(
        {
          ...sink,
          key: `${sink.key}-sandbox-${sandbox}`,
          topic: outputTopic,
          table,
          prefix: `${sink.prefix}sandbox-${sandbox}/`,
        },
        { ...output, name: outputTopic },
        { kafka, lakehouse },
      ),
    );
  }
  return running;
}

/** Waits until each sandbox sink has read the whole sandbox topic, then delivers its buffer. */
async function drainSinks(kafka: Kafka, topic: string, sinks: RunningSink[]): Promise<void> {
  if (sinks.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  let total: number;
  try {
    total = (await admin.fetchTopicOffsets(topic)).reduce(
      (sum, p) => sum + Number(p.high) - Number(p.low),
      0,
    );
  } finally {
    await admin.disconnect();
  }
  for (const sink of sinks) {
    for (let attempt = 0; attempt < 1200; attempt++) {
      const stats = sink.stats();
      if (stats.recordsIn + stats.recordsSkipped >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await sink.flush();
  }
}
