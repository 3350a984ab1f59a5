/**
 * A sink process that kills itself (SIGKILL: no cleanup, no flush) at a chosen step of its first Iceberg
 * commit. Run by crash.test.ts as `node --import tsx crash-child.ts '<json>'`.
 */
import { Kafka, logLevel } from 'kafkajs';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { startSink } from '../../../lib/local/sink/sink-runner.ts';
import type { SinkSpec, TopicSpec } from '../../../lib/manifest/spec.ts';

interface CrashRequest {
  brokers: string[];
  awsEndpoint: string;
  region: string;
  sink: SinkSpec;
  topic: TopicSpec;
  records: number;
  crashAt: 'data-written' | 'table-committed';
}

const request = JSON.parse(process.argv[2]!) as CrashRequest;
const kafka = new Kafka({
  clientId: 'sink-crash-child',
  brokers: request.brokers,
  logLevel: logLevel.NOTHING,
});
const lakehouse = createLakehouse({
  kind: 'aws',
  aws: awsClientConfig({ region: request.region, endpoint: request.awsEndpoint }),
});
const running = await startSink(request.sink, request.topic, {
  kafka,
  lakehouse,
  // The broker's minimum: the restarted sink need not wait 30 s for this dead member to leave the group.
  sessionTimeoutMs: 6000,
  onPhase: (phase) => {
    if (phase === request.crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
while (running.stats().recordsIn < request.records) await new Promise((r) => setTimeout(r, 50));
await running.flush();
// Not reached: the flush kills the process.
process.exit(3);
