/**
 * The consumer groups the local runtime runs for a tenant: one per manifest consumer (its event-source mapping)
 * and one per sink (the local delivery, `sinkGroupId`), each with the topic it reads.
 */
import { sinkGroupId } from '../core/naming.ts';
import type { TenantSpec } from '../manifest/spec.ts';

export function localConsumerGroups(tenant: TenantSpec): Array<{ groupId: string; topic: string }> {
  return [
    ...tenant.consumers.map((consumer) => ({ groupId: consumer.groupId, topic: consumer.topic })),
    ...tenant.sinks.map((sink) => ({ groupId: sinkGroupId(sink.tenant, sink.key), topic: sink.topic })),
  ];
}
