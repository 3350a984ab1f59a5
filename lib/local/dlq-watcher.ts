/**
 * Counts dead letters per consumer as they arrive in the tenants' DLQ topics (by the `stratus-consumer`
 * header every envelope carries), whether the SDK wrote them (invalid records) or the event-source emulator
 * (retries exhausted). Counts start when the watcher starts; it never commits, and its group is deleted at stop.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '../core/dlq-envelope.ts';
import { consumerGroupId } from '../core/naming.ts';
import type { TenantSpec } from '../manifest/spec.ts';

export interface DlqWatcher {
  /** Dead letters seen per consumer group id (`<tenant>.<consumer>`). */
  counts(): ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

export async function watchDeadLetters(kafka: Kafka, tenants: readonly TenantSpec[]): Promise<DlqWatcher> {
  const counts = new Map<string, number>();
  const topics = tenants.map((tenant) => tenant.dlq.name);
  const groupId = `stratus-dev-dlq-watch-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const tenant = message.headers?.[DLQ_HEADERS.tenant]?.toString();
      const name = message.headers?.[DLQ_HEADERS.consumer]?.toString();
      if (!tenant || !name) return;
      const group = consumerGroupId(tenant, name);
      counts.set(group, (counts.get(group) ?? 0) + 1);
    },
  });
  return {
    counts: () => counts,
    async stop() {
      await consumer.disconnect().catch(() => {});
      const admin = kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups([groupId]))
        .catch(() => {})
        .finally(() => admin.disconnect());
    },
  };
}
