/**
 * `stratus replay`, shared by the local runtime and AWS: check the input, show the plan, ask, then reset the
 * live group (pausing its consumer through the given control) — or, with `--to`/`--into`, leave the live
 * group alone and replay a bounded window through a temporary group (see bounded.ts).
 */
import type { Admin, Kafka } from 'kafkajs';
import type { ConsumerSpec } from '../../manifest/spec.ts';
import type { ConsumerControl } from '../consumer-control.ts';
import { OpsError } from '../shared/errors.ts';
import type { WaitForEmptyOptions } from '../shared/group.ts';
import type { LocalBoundedReplayResult } from './local-bounded.ts';
import { buildReplayPlan, type ReplayPlan, type ReplayWindow, sandboxPlan } from './plan.ts';
import { resetGroupToWindow } from './reset.ts';

export interface ReplayOptions {
  kafka: Kafka;
  consumer: ConsumerSpec;
  window: ReplayWindow;
  control: ConsumerControl;
  /** Shown the plan; resolves true to go ahead. Not called for a dry run or when there is nothing to do. */
  confirm: (plan: ReplayPlan) => Promise<boolean>;
  /** Only compute and return the plan. */
  dryRun?: boolean;
  waitForEmpty?: WaitForEmptyOptions;
}

export type ReplayOutcome =
  | { status: 'dry-run' | 'nothing-to-do' | 'declined'; plan: ReplayPlan }
  | { status: 'applied'; plan: ReplayPlan; applied: ReplayPlan; pauseNote: string };

/** Plans and (unless dry-run or declined) resets the consumer's live group to the start of the window. */
export async function replayLiveGroup(options: ReplayOptions): Promise<ReplayOutcome> {
  const { consumer } = options;
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    await assertTopicExists(admin, consumer.topic);
    const plan = await buildReplayPlan(admin, {
      topic: consumer.topic,
      groupId: consumer.groupId,
      window: options.window,
    });
    if (options.dryRun) return { status: 'dry-run', plan };
    if (plan.records === 0) return { status: 'nothing-to-do', plan };
    if (!(await options.confirm(plan))) return { status: 'declined', plan };
    const { plan: applied, pauseNote } = await resetGroupToWindow({
      admin,
      control: options.control,
      topic: consumer.topic,
      groupId: consumer.groupId,
      window: options.window,
      waitForEmpty: options.waitForEmpty,
    });
    return { status: 'applied', plan, applied, pauseNote };
  } finally {
    await admin.disconnect();
  }
}

export async function assertTopicExists(admin: Admin, topic: string): Promise<void> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic))
    throw new OpsError(
      `topic ${topic} does not exist on the cluster; has the tenant been started (\`stratus dev\`) or deployed? Nothing was changed`,
    );
}

export interface BoundedReplayFlowOptions {
  kafka: Kafka;
  consumer: ConsumerSpec;
  window: ReplayWindow;
  /** Replay into a sandbox: plan the whole window, not only what the live group processed. */
  sandbox?: string;
  confirm: (plan: ReplayPlan) => Promise<boolean>;
  dryRun?: boolean;
  /** Runs the replay once confirmed (the local FunctionHost + emulator, see local-bounded.ts). */
  run: (plan: ReplayPlan) => Promise<LocalBoundedReplayResult>;
}

export type BoundedReplayOutcome =
  | { status: 'dry-run' | 'nothing-to-do' | 'declined'; plan: ReplayPlan }
  | { status: 'applied'; plan: ReplayPlan; result: LocalBoundedReplayResult };

/** `--to` / `--into`: plan, ask, then replay the window through a temporary group; the live group is untouched. */
export async function replayBoundedWindow(options: BoundedReplayFlowOptions): Promise<BoundedReplayOutcome> {
  const { consumer } = options;
  const admin = options.kafka.admin();
  await admin.connect();
  let plan: ReplayPlan;
  try {
    await assertTopicExists(admin, consumer.topic);
    plan = await buildReplayPlan(admin, {
      topic: consumer.topic,
      groupId: consumer.groupId,
      window: options.window,
    });
    if (options.sandbox !== undefined) {
      const highs = new Map(
        (await admin.fetchTopicOffsets(consumer.topic)).map((p) => [p.partition, p.high]),
      );
      plan = sandboxPlan(plan, highs);
    }
  } finally {
    await admin.disconnect();
  }
  if (options.dryRun) return { status: 'dry-run', plan };
  if (plan.records === 0) return { status: 'nothing-to-do', plan };
  if (!(await options.confirm(plan))) return { status: 'declined', plan };
  return { status: 'applied', plan, result: await options.run(plan) };
}
