/**
 * Moves the live consumer group back to the plan's targets: pause, check the group is empty, set offsets,
 * verify, resume. The only step that differs between local and AWS is the ConsumerControl.
 */
import type { Admin } from 'kafkajs';
import type { ConsumerControl } from '../consumer-control.ts';
import { OpsError } from '../shared/errors.ts';
import { describeMembers, type WaitForEmptyOptions, waitForEmptyGroup } from '../shared/group.ts';
import { buildReplayPlan, type ReplayPlan, type ReplayWindow, replayedPartitions } from './plan.ts';

export interface ResetGroupOptions {
  admin: Admin;
  control: ConsumerControl;
  topic: string;
  groupId: string;
  window: ReplayWindow;
  /** How long to wait for the group's members to leave once paused. */
  waitForEmpty?: WaitForEmptyOptions;
}

export interface ResetOutcome {
  /** The plan recomputed after the pause: the consumer may have committed more since the preview. */
  plan: ReplayPlan;
  /** What the control did, e.g. "disabled event-source mapping …". */
  pauseNote: string;
}

export async function resetGroupToWindow(options: ResetGroupOptions): Promise<ResetOutcome> {
  const { admin, groupId, topic } = options;
  const paused = await options.control.pause();
  let outcome: ResetOutcome;
  try {
    const group = await waitForEmptyGroup(admin, groupId, options.waitForEmpty);
    if ('stillActive' in group)
      throw new OpsError(
        `consumer ${groupId} still has active members (${describeMembers(group.stillActive)}) after ${paused.note}, so its offsets cannot be reset; stop the process that runs it and try again. Nothing was changed`,
      );
    const plan = await buildReplayPlan(admin, { topic, groupId, window: options.window });
    const partitions = replayedPartitions(plan).map((partition) => ({
      partition: partition.partition,
      offset: partition.target,
    }));
    if (partitions.length > 0) {
      await admin.setOffsets({ groupId, topic, partitions });
      await verifyOffsets(admin, groupId, topic, partitions);
    }
    outcome = { plan, pauseNote: paused.note };
  } catch (error) {
    await paused.resume().catch(() => {});
    throw error;
  }
  try {
    await paused.resume();
  } catch (error) {
    throw new OpsError(
      `the offsets of ${groupId} were reset, but resuming failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return outcome;
}

async function verifyOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
  expected: Array<{ partition: number; offset: string }>,
): Promise<void> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const wrong = expected.filter(
    ({ partition, offset }) =>
      committed?.partitions.find((p) => p.partition === partition)?.offset !== offset,
  );
  if (wrong.length > 0)
    throw new OpsError(
      `the broker did not keep the new offsets of ${groupId} on partitions ${wrong.map((p) => p.partition).join(', ')}; another consumer may have joined the group`,
    );
}
