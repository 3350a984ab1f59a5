/**
 * The local Lambda Kafka event-source mapping: one kafkajs consumer group per manifest consumer
 * (`<tenant>.<consumer>`, ConsumerSpec.groupId), fetching continuously and handing each partition's records
 * to a PartitionWorker (filter → batch → invoke → retry/bisect/partial → DLQ → commit).
 *
 * kafkajs runs with autoCommit off. Its fetch position moves ahead as records are buffered (resolveOffset),
 * while the group's committed offset only moves when the worker settled records, through explicit
 * commitOffsets. After a rebalance or a restart kafkajs resumes from the committed offset, so anything not
 * settled is delivered again (at least once).
 */
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { buildMskEvent, type MskRecord } from '../../core/msk-event.ts';
import { localClusterArn } from '../../core/naming.ts';
import type { ConsumerSpec } from '../../manifest/spec.ts';
import { type BatchLimits, MAX_PAYLOAD_BYTES } from './batch-cut.ts';
import { writeDeadLetters } from './dlq-writer.ts';
import { PartitionWorker, type WorkerCounters } from './partition-worker.ts';
import { eventOverheadBytes, toMskRecord } from './record.ts';
import { retryPolicyFor } from './retry-policy.ts';
import { startingOffsets } from './starting-position.ts';
import type { EventSourceObserver, EventSourceStats, InvokeFunction, PlatformAvailability } from './types.ts';

export interface EventSourceMappingOptions {
  /** The manifest consumer: group, topic, batching, starting position, filters, error handling, DLQ. */
  consumer: ConsumerSpec;
  /** A kafkajs client for the cluster; the mapping creates its own consumer, producer and admin from it. */
  kafka: Kafka;
  /** Runs the function once; a FunctionHost's `invoke`, or any in-process function in tests. */
  invoke: InvokeFunction;
  /** Comma-separated bootstrap servers, as the event's `bootstrapServers`. */
  bootstrapServers: string;
  /**
   * The event's `eventSourceArn` (MSK events always carry the cluster ARN).
   * @default localClusterArn() from lib/core/naming.ts
   */
  eventSourceArn?: string;
  /** Metrics and accounting callbacks. */
  observer?: EventSourceObserver;
  /** Outages of the local platform: a failure during one does not count as an attempt (see PartitionWorker). */
  availability?: PlatformAvailability;
  /**
   * Cap on an event's JSON size; only tests lower it.
   * @default 6 MiB (Lambda's synchronous invocation payload limit)
   */
  maxPayloadBytes?: number;
  /**
   * Base delay before retrying a failed batch; doubled per retry, capped at 5 s.
   * @default 100
   */
  retryBackoffMs?: number;
  /**
   * Records buffered per partition before fetching pauses.
   * @default max(2 × batchSize, 500)
   */
  maxBufferedRecords?: number;
  /**
   * kafkajs session timeout of the group member.
   * @default 10000
   */
  sessionTimeoutMs?: number;
}

/** A worker waiting for its partition's offset to be committed. */
interface CommitWaiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** A running mapping. */
export interface EventSourceMapping {
  /** Finish the batch in flight, commit what is settled, leave the group and disconnect. */
  stop(): Promise<void>;
  /**
   * Like `stop` but restartable: the group is left cleanly (no members), so its offsets may be reset
   * (replay) before `resume`.
   */
  pause(): Promise<void>;
  /** Join the group again and continue from its committed offsets. */
  resume(): Promise<void>;
  /**
   * Simulate a crash: disconnect at once, commit nothing more, abandon the batch in flight (its result is
   * ignored). The records not committed are delivered again to the next member of the group.
   */
  kill(): Promise<void>;
  stats(): EventSourceStats;
  /** True when no record is buffered or in flight. Records not fetched yet are not seen. */
  isIdle(): boolean;
  /**
   * Resolves once the group's committed offsets reach the end of every partition of the topic (everything
   * produced so far is settled). Rejects after `timeoutMs`.
   */
  drained(options?: { timeoutMs?: number }): Promise<void>;
}

/** Start consuming `consumer.topic` as Lambda's event-source mapping would. Resolves once the group is joined. */
export async function startEventSourceMapping(
  options: EventSourceMappingOptions,
): Promise<EventSourceMapping> {
  const spec = options.consumer;
  const eventSourceArn = options.eventSourceArn ?? localClusterArn();
  const observer = options.observer ?? {};
  const limits: BatchLimits = {
    batchSize: spec.batchSize,
    batchWindowMs: spec.batchWindowMs,
    maxPayloadBytes: options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES,
    overheadBytes: eventOverheadBytes(eventSourceArn, options.bootstrapServers),
  };
  const policy = retryPolicyFor(spec);
  const maxBuffered = options.maxBufferedRecords ?? Math.max(2 * spec.batchSize, 500);
  const counters: WorkerCounters = {
    invocations: 0,
    failedInvocations: 0,
    recordsDelivered: 0,
    recordsFiltered: 0,
    recordsDeadLettered: 0,
    recordsDiscarded: 0,
  };
  const admin: Admin = options.kafka.admin();
  const producer: Producer | undefined = spec.onFailureTopic
    ? // writeDeadLetters retries on its own, forever; kafkajs' own retries would only delay the first error.
      options.kafka.producer({
        allowAutoTopicCreation: false,
        retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1_000 },
      })
    : undefined;
  await admin.connect();
  await producer?.connect();

  let state: EventSourceStats['state'] = 'starting';
  let consumer: Consumer | undefined;
  const workers = new Map<number, PartitionWorker>();
  /** Offsets committed by this mapping per partition; a new worker never redelivers below them. */
  const committed = new Map<number, number>();
  const paused = new Set<number>();
  let runnerReady: Promise<void> = Promise.resolve();

  /**
   * Offsets waiting to be committed, per partition, with the workers waiting for them. The workers of all
   * partitions commit through one OffsetCommit request at a time: what they settle while it is in flight
   * goes out together in the next one (one request per round trip for the mapping, not one per batch per
   * partition). A worker's commit still resolves only once its offset is committed.
   */
  const commitQueue = new Map<number, { offset: number; waiters: CommitWaiter[] }>();
  let committing = false;
  const commitOffset = (partition: number, offset: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const queued = commitQueue.get(partition);
      if (queued) {
        queued.offset = Math.max(queued.offset, offset);
        queued.waiters.push({ resolve, reject });
      } else commitQueue.set(partition, { offset, waiters: [{ resolve, reject }] });
      if (!committing) void commitQueued();
    });
  const commitQueued = async (): Promise<void> => {
    committing = true;
    try {
      while (commitQueue.size > 0) {
        const taken = [...commitQueue];
        commitQueue.clear();
        try {
          // kafkajs silently drops commits made before its runner is running (during a join), so each
          // request waits for the runner of the moment; a failure reaches the workers waiting, never nobody.
          await runnerReady;
          if (!consumer) {
            // Stopped or killed: nothing more is committed.
            for (const [, { waiters }] of taken) for (const waiter of waiters) waiter.resolve();
            continue;
          }
          await consumer.commitOffsets(
            taken.map(([partition, { offset }]) => ({
              topic: spec.topic,
              partition,
              offset: String(offset),
            })),
          );
        } catch (error) {
          for (const [, { waiters }] of taken) for (const waiter of waiters) waiter.reject(error);
          continue;
        }
        for (const [partition, { offset, waiters }] of taken) {
          committed.set(partition, Math.max(committed.get(partition) ?? -1, offset));
          observer.onCommitted?.({ topic: spec.topic, partition, offset });
          for (const waiter of waiters) waiter.resolve();
        }
      }
    } finally {
      committing = false;
    }
  };

  const newWorker = (
    partition: number,
    previous?: PartitionWorker,
    startOffset?: number,
  ): PartitionWorker => {
    const worker = new PartitionWorker(
      {
        topic: spec.topic,
        partition,
        filters: spec.filters,
        limits,
        policy,
        invoke: options.invoke,
        buildEvent: (records: MskRecord[]) =>
          buildMskEvent(records, eventSourceArn, options.bootstrapServers),
        deadLetter:
          producer && spec.onFailureTopic
            ? (items, reason, error, shouldGiveUp) =>
                writeDeadLetters(
                  producer,
                  { tenant: spec.tenant, consumer: spec.key, topic: spec.onFailureTopic! },
                  items,
                  reason,
                  error,
                  { shouldGiveUp, onError: (e) => observer.onError?.({ stage: 'dead-letter', error: e }) },
                )
            : undefined,
        deadLetterTopic: spec.onFailureTopic,
        commit: (offset) => commitOffset(partition, offset),
        observer,
        counters,
        retryBackoffMs: options.retryBackoffMs ?? 100,
        availability: options.availability,
      },
      () => committed.get(partition) ?? -1,
      previous?.done,
      startOffset,
    );
    return worker;
  };

  const connect = async (): Promise<void> => {
    const starts = await startingOffsets(admin, {
      groupId: spec.groupId,
      topic: spec.topic,
      startingPosition: spec.startingPosition,
      startingPositionTimestamp: spec.startingPositionTimestamp,
    });
    const next = options.kafka.consumer({
      groupId: spec.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
    });
    consumer = next;
    let markRunnerReady: () => void = () => {};
    runnerReady = new Promise<void>((resolve) => {
      markRunnerReady = resolve;
    });
    const joined = new Promise<void>((resolve) => {
      next.on(next.events.GROUP_JOIN, (event) => {
        // A new generation: kafkajs refetches every assigned partition from its committed offset, so each
        // partition gets a fresh worker that waits for the old one's batch in flight.
        const assigned = new Set(event.payload.memberAssignment[spec.topic] ?? []);
        for (const [partition, worker] of workers) {
          void worker.stop();
          if (!assigned.has(partition)) workers.delete(partition);
        }
        for (const partition of assigned) {
          // Until this mapping committed something for the partition, every (re)join starts it at the
          // starting position: seeks are applied before the first fetch, the worker commits the offset at once.
          const start = committed.has(partition) ? undefined : starts.get(partition);
          if (start !== undefined) next.seek({ topic: spec.topic, partition, offset: String(start) });
          workers.set(partition, newWorker(partition, workers.get(partition), start));
        }
        paused.clear();
        resolve();
      });
    });
    next.on(next.events.CRASH, (event) =>
      observer.onError?.({ stage: 'consumer', error: event.payload.error }),
    );
    await next.connect();
    await next.subscribe({ topic: spec.topic, fromBeginning: spec.startingPosition !== 'LATEST' });
    await next.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, isStale }) => {
        if (isStale() || batch.messages.length === 0) return;
        const worker = workers.get(batch.partition);
        if (!worker) return;
        worker.push(
          batch.messages.map((message) => toMskRecord(batch.topic, batch.partition, message)),
          batch.messages.map((message) => message.value),
        );
        resolveOffset(batch.lastOffset());
        if (worker.pendingCount >= maxBuffered && !paused.has(batch.partition)) {
          paused.add(batch.partition);
          next.pause([{ topic: spec.topic, partitions: [batch.partition] }]);
          void watchBuffer(next, batch.partition, worker);
        }
      },
    });
    markRunnerReady();
    await joined;
    state = 'running';
  };

  /** Resume fetching a paused partition once its buffer is half drained. */
  const watchBuffer = async (owner: Consumer, partition: number, worker: PartitionWorker): Promise<void> => {
    while (
      worker.pendingCount >= maxBuffered / 2 &&
      workers.get(partition) === worker &&
      consumer === owner
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    paused.delete(partition);
    if (consumer === owner) owner.resume([{ topic: spec.topic, partitions: [partition] }]);
  };

  const disconnect = async (mode: 'graceful' | 'kill'): Promise<void> => {
    const current = consumer;
    const stopping = [...workers.values()];
    if (mode === 'kill') for (const worker of stopping) worker.kill();
    else await Promise.all(stopping.map((worker) => worker.stop()));
    workers.clear();
    consumer = undefined;
    // disconnect() stops the runner and sends LeaveGroup, so the group is empty right away.
    await current?.disconnect();
  };

  try {
    await connect();
  } catch (error) {
    await disconnect('kill').catch(() => {});
    await producer?.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    throw error;
  }

  const mapping: EventSourceMapping = {
    async stop() {
      if (state === 'stopped') return;
      await disconnect('graceful');
      state = 'stopped';
      await producer?.disconnect();
      await admin.disconnect();
    },
    async pause() {
      if (state !== 'running') return;
      await disconnect('graceful');
      state = 'paused';
    },
    async resume() {
      if (state !== 'paused') return;
      committed.clear();
      await connect();
    },
    async kill() {
      if (state === 'stopped') return;
      await disconnect('kill');
      state = 'stopped';
      await producer?.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    },
    stats() {
      let pending = 0;
      for (const worker of workers.values()) pending += worker.pendingCount;
      return { ...counters, recordsPending: pending, state };
    },
    isIdle() {
      return [...workers.values()].every((worker) => worker.idle);
    },
    async drained({ timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [ends, [group]] = await Promise.all([
          admin.fetchTopicOffsets(spec.topic),
          admin.fetchOffsets({ groupId: spec.groupId, topics: [spec.topic] }),
        ]);
        const at = new Map((group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        if (
          ends.every((p) => Number(p.high) === Number(p.low) || (at.get(p.partition) ?? -1) >= Number(p.high))
        )
          return;
        if (Date.now() > deadline)
          throw new Error(`${spec.groupId} did not drain ${spec.topic} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
  return mapping;
}
