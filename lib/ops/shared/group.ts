/**
 * Consumer-group checks. Kafka only lets a group's committed offsets be changed while the group has no
 * active members (OffsetCommit from outside a generation is rejected with UNKNOWN_MEMBER_ID; kafkajs'
 * `setOffsets` checks the state first), so every reset waits for an empty group and refuses otherwise.
 */
import type { Admin } from 'kafkajs';

export interface GroupMembership {
  groupId: string;
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead (never existed). */
  state: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string }>;
}

export async function describeGroup(admin: Admin, groupId: string): Promise<GroupMembership> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((candidate) => candidate.groupId === groupId);
  return {
    groupId,
    state: group?.state ?? 'Dead',
    members: (group?.members ?? []).map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      clientHost: member.clientHost,
    })),
  };
}

export function describeMembers(group: GroupMembership): string {
  return group.members.map((member) => `${member.clientId} on ${member.clientHost}`).join(', ');
}

export interface WaitForEmptyOptions {
  /**
   * How many times the group is described before giving up. A member that was just stopped leaves the group
   * with a LeaveGroup request, so the first look usually succeeds; a crashed one stays until its session
   * times out.
   * @default 20
   */
  attempts?: number;
  /** @default 500 */
  intervalMs?: number;
}

/** The group once it has no members, or `stillActive` with its members when it still has some after every attempt. */
export async function waitForEmptyGroup(
  admin: Admin,
  groupId: string,
  options: WaitForEmptyOptions = {},
): Promise<GroupMembership | { stillActive: GroupMembership }> {
  const attempts = options.attempts ?? 20;
  let group = await describeGroup(admin, groupId);
  for (let attempt = 1; attempt < attempts && group.members.length > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    group = await describeGroup(admin, groupId);
  }
  return group.members.length === 0 ? group : { stillActive: group };
}
