/**
 * Removes the consumer-group members a killed `stratus dev` left behind. Kafka keeps a group's members in
 * `__consumer_offsets`, so after a kill -9 (the broker dies with it) the restarted broker loads the dead run's
 * members again and every new member's join waits until their sessions expire (10 s): the whole restart waits.
 * Before this run's consumers and sinks start, nothing of it is in a group yet, and the embedded broker serves
 * no one else, so every member present is a dead one: each is sent the LeaveGroup it never sent, and the joins
 * that follow complete at once. Committed offsets are untouched (they are the group's, not its members'), so
 * each partition resumes where its last commit left it. Never used against a broker Stratus did not start,
 * whose groups may have live members elsewhere.
 */
import type { Kafka } from 'kafkajs';

/** The few kafkajs internals this needs: its client's cluster, which can reach a group's coordinator. */
interface CoordinatorCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<{
    leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
  }>;
}

/**
 * kafkajs' admin client has no LeaveGroup for other members; its broker connection does (the request a
 * consumer sends when it stops). The cluster factory is a symbol-keyed member of the client (kafkajs is frozen
 * at 2.2.4; test/integration/local/dead-group-members.test.ts fails if this stops working).
 */
function clusterOf(kafka: Kafka): CoordinatorCluster {
  const factory = Object.getOwnPropertySymbols(kafka).find(
    (symbol) => symbol.description === 'private:Kafka:createCluster',
  );
  if (!factory) throw new Error('kafkajs has no cluster factory to send LeaveGroup with');
  const create = (kafka as unknown as Record<symbol, (options: object) => CoordinatorCluster>)[factory]!;
  return create({ allowAutoTopicCreation: false });
}

/** Makes every member of `groupIds` leave its group; returns how many were removed, per group that had any. */
export async function removeGroupMembers(
  kafka: Kafka,
  groupIds: readonly string[],
): Promise<Array<{ groupId: string; removed: number }>> {
  if (groupIds.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  let described: Awaited<ReturnType<typeof admin.describeGroups>>;
  try {
    described = await admin.describeGroups([...groupIds]);
  } finally {
    await admin.disconnect();
  }
  const crowded = described.groups.filter((group) => group.members.length > 0);
  if (crowded.length === 0) return [];
  const cluster = clusterOf(kafka);
  await cluster.connect();
  try {
    const removed: Array<{ groupId: string; removed: number }> = [];
    for (const group of crowded) {
      const coordinator = await cluster.findGroupCoordinator({ groupId: group.groupId });
      for (const member of group.members)
        await coordinator.leaveGroup({ groupId: group.groupId, memberId: member.memberId });
      removed.push({ groupId: group.groupId, removed: group.members.length });
    }
    return removed;
  } finally {
    await cluster.disconnect();
  }
}
