/**
 * One partition's share of an event-source mapping: records are filtered as they arrive, batched by size,
 * window and payload cap, and delivered one batch at a time, so order within the partition is kept (Lambda
 * blocks a partition on a failing batch until it succeeds, is dead-lettered or expires). Partitions run their
 * workers concurrently, like Lambda's pollers. Offsets are committed only up to the first record that is not
 * settled (delivered successfully, filtered out or written to the on-failure destination): at least once,
 * nothing skipped.
 */

import type { DlqReason } from '../../core/dlq-envelope.ts';
import { type CompiledFilters, compileFilters } from '../../core/event-filter.ts';
import type { MskEvent, MskRecord } from '../../core/msk-event.ts';
import type { FilterPattern } from '../../manifest/spec.ts';
import { type BatchLimits, batchReady, cutBatch } from './batch-cut.ts';
import { interpretBatchResponse } from './batch-response.ts';
import type { DeadLetterItem } from './dlq-writer.ts';
import { recordPayloadBytes } from './record.ts';
import { decide, type RetryPolicy, type Segment, splitExpired } from './retry-policy.ts';
import type { EventSourceObserver, InvokeFunction, InvokeResult, PlatformAvailability } from './types.ts';

export interface PartitionWorkerDeps {
  topic: string;
  partition: number;
  filters: readonly FilterPattern[];
  limits: BatchLimits;
  policy: RetryPolicy;
  invoke: InvokeFunction;
  buildEvent(records: MskRecord[]): MskEvent;
  /** Write to the on-failure destination, retrying until done; undefined when there is none (records are discarded). */
  deadLetter?(
    items: DeadLetterItem[],
    reason: DlqReason,
    error: unknown,
    shouldGiveUp: () => boolean,
  ): Promise<void>;
  deadLetterTopic?: string;
  /** Commit `offset` (the next record to read) for the partition. */
  commit(offset: number): Promise<void>;
  observer: EventSourceObserver;
  counters: WorkerCounters;
  /** Base delay before a retry; doubled per retry, capped at 5 s. */
  retryBackoffMs: number;
  /** Outages of the services the runtime supervises (broker, stores); without it every failure counts. */
  availability?: PlatformAvailability;
  now?: () => number;
}

/** Counters shared by all workers of a mapping. */
export interface WorkerCounters {
  invocations: number;
  failedInvocations: number;
  recordsDelivered: number;
  recordsFiltered: number;
  recordsDeadLettered: number;
  recordsDiscarded: number;
}

interface Attempts {
  attempts: number;
  firstFailureAt?: Date;
}

export class PartitionWorker {
  private readonly pending: MskRecord[] = [];
  private firstBufferedAt: number | undefined;
  private readonly unsettled = new Set<number>();
  private highestSeen = -1;
  private lastCommitted = -1;
  private readonly attempts = new Map<number, Attempts>();
  private wake: (() => void) | undefined;
  private stopping = false;
  private killed = false;
  private busy = false;
  private committing: Promise<void> | undefined;
  private commitAgain = false;
  private readonly filters: CompiledFilters;
  readonly done: Promise<void>;

  constructor(
    private readonly deps: PartitionWorkerDeps,
    /** Records below this offset were committed by a previous worker of the partition: never redeliver them. */
    private readonly floor: () => number,
    /** A previous worker of the same partition that must finish its batch first (rebalance). */
    previous?: Promise<void>,
    /** The starting position, when the group had no committed offset for the partition: committed first. */
    private readonly startOffset?: number,
  ) {
    this.filters = compileFilters(deps.filters);
    this.done = (previous ?? Promise.resolve()).then(() => this.run());
  }

  /** Records not settled yet, fetched or in flight. */
  get pendingCount(): number {
    return this.unsettled.size;
  }

  /** True while a batch is being delivered or records wait. */
  get idle(): boolean {
    return !this.busy && this.unsettled.size === 0;
  }

  /** The offset this worker committed last (-1 when none). */
  get committedOffset(): number {
    return this.lastCommitted;
  }

  /**
   * Records fetched for the partition, in offset order. Filtering happens here, before batching. `values`,
   * when given, are the records' value bytes (the filters read them instead of decoding the base64 again).
   */
  push(records: readonly MskRecord[], values?: ReadonlyArray<Uint8Array | null>): void {
    if (this.stopping) return;
    let filtered = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.offset < this.floor() || record.offset <= this.highestSeen) continue;
      this.highestSeen = record.offset;
      // "Lambda applies your filter criteria to each new event to determine whether to add it to the
      // current batch" (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
      if (!this.filters.matches(record, values?.[i])) {
        filtered++;
        continue;
      }
      this.unsettled.add(record.offset);
      this.pending.push(record);
      this.firstBufferedAt ??= this.now();
    }
    if (filtered > 0) {
      this.deps.counters.recordsFiltered += filtered;
      this.deps.observer.onFiltered?.({ partition: this.deps.partition, records: filtered });
      // Filtered-out records are committed, never delivered; nothing waits, so commit now.
      if (!this.busy) this.commitInBackground();
    }
    // Only a worker waiting for a batch is woken; a retry backoff is not cut short by new records.
    if (!this.busy) this.wake?.();
  }

  /** Finish the batch in flight (and commit what it settled), then stop; buffered records are dropped. */
  stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    return this.done;
  }

  /** Stop at once without committing anything more: what a crash looks like to the group. */
  kill(): void {
    this.killed = true;
    this.stopping = true;
    this.wake?.();
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async run(): Promise<void> {
    // The previous worker may have committed past records this one buffered while it waited.
    const floor = this.floor();
    while (this.pending.length > 0 && this.pending[0]!.offset < floor)
      this.unsettled.delete(this.pending.shift()!.offset);
    if (this.pending.length === 0) this.firstBufferedAt = undefined;
    this.commitInBackground();
    while (!this.stopping) {
      const readiness = batchReady(this.pending, this.firstBufferedAt, this.now(), this.deps.limits);
      if (!readiness.ready) {
        await this.sleep(readiness.waitMs);
        continue;
      }
      this.busy = true;
      try {
        await this.deliverNextBatch();
        this.commitInBackground();
      } catch (error) {
        if (!this.stopping) this.deps.observer.onError?.({ stage: 'commit', error });
      } finally {
        this.busy = false;
      }
    }
    // What this worker settled is committed before it is done: a successor starts from there.
    while (this.committing && !this.killed) await this.committing;
  }

  /**
   * Commits what is settled without holding up the next batch: the commit is a broker round trip, and the
   * next invocation does not depend on it (at least once holds as long as a commit never runs ahead of the
   * settled records). One commit at a time; settling more meanwhile commits once more, to the newest offset.
   */
  private commitInBackground(): void {
    if (this.committing) {
      this.commitAgain = true;
      return;
    }
    this.committing = (async () => {
      do {
        this.commitAgain = false;
        try {
          await this.commitSettled();
        } catch (error) {
          if (!this.stopping) this.deps.observer.onError?.({ stage: 'commit', error });
        }
      } while (this.commitAgain && !this.killed);
    })().finally(() => {
      this.committing = undefined;
    });
  }

  private async deliverNextBatch(): Promise<void> {
    const { batch, oversized } = cutBatch(this.pending, this.deps.limits);
    const taken = oversized ? 1 : batch.length;
    this.pending.splice(0, taken);
    this.firstBufferedAt = this.pending.length > 0 ? this.now() : undefined;
    if (oversized) {
      const error = new Error(
        `record of ${oversized.topic}-${oversized.partition} at offset ${oversized.offset} exceeds the ${this.deps.limits.maxPayloadBytes}-byte invocation payload on its own`,
      );
      error.name = 'PayloadTooLarge';
      await this.giveUp([oversized], 'PAYLOAD_TOO_LARGE', error);
      return;
    }
    const queue: Segment[] = [{ records: batch, retries: 0 }];
    let lastError: unknown;
    while (queue.length > 0 && !this.stopping) {
      const segment = queue.shift()!;
      const { expired, live } = splitExpired(segment.records, this.now(), this.deps.policy);
      if (expired.length > 0) {
        const error = new Error(`record older than maxRecordAge (${this.deps.policy.maxRecordAgeMs} ms)`);
        error.name = 'RecordExpired';
        await this.giveUp(expired, 'RECORD_EXPIRED', lastError ?? error);
      }
      if (live.length === 0) continue;
      if (segment.retries > 0)
        await this.sleep(Math.min(this.deps.retryBackoffMs * 2 ** (segment.retries - 1), 5_000));
      if (this.stopping) return;
      const invokedAt = this.now();
      const result = await this.invoke(live);
      if (this.killed) return;
      const outcome = result.ok
        ? interpretBatchResponse(live, result.response)
        : ({ kind: 'error' } as const);
      if (outcome.kind !== 'success') {
        lastError = result.ok
          ? Object.assign(
              new Error(
                outcome.kind === 'invalid' ? outcome.message : 'the function reported failed records',
              ),
              {
                name: outcome.kind === 'invalid' ? 'InvalidBatchResponse' : 'BatchItemFailure',
              },
            )
          : Object.assign(new Error(result.error.message), { name: result.error.class });
        this.markFailed(live);
      }
      const decision = decide({ records: live, retries: segment.retries }, outcome, this.deps.policy);
      this.settle(decision.succeeded);
      this.deps.counters.recordsDelivered += decision.succeeded.length;
      if (outcome.kind !== 'success' && this.deps.availability?.disturbedSince(invokedAt)) {
        // The broker or a store was down (or had just come back) while the function ran: its outputs or its
        // idempotency records could not be written. That is the local platform's outage, not the
        // function's failure, so the attempt does not count: once the services are back, the records that
        // did not succeed are sent again with the retries they had. (On AWS the cluster and DynamoDB do not
        // restart under a running mapping; see docs/local-runtime.md.)
        const succeeded = new Set(decision.succeeded.map((record) => record.offset));
        const again = live.filter((record) => !succeeded.has(record.offset));
        while (!this.stopping && !this.deps.availability.settledNow()) await this.sleep(250);
        queue.unshift({ records: again, retries: segment.retries });
        continue;
      }
      if (decision.exhausted.length > 0)
        await this.giveUp(decision.exhausted, 'RETRIES_EXHAUSTED', lastError);
      queue.unshift(...decision.retry);
    }
  }

  private async invoke(records: MskRecord[]): Promise<InvokeResult> {
    const event = this.deps.buildEvent(records);
    // The payload as the batch cut counts it against the cap, not a second serialization of the event.
    let bytes = this.deps.limits.overheadBytes;
    for (const record of records) bytes += recordPayloadBytes(record);
    this.deps.observer.onBatch?.({ partition: this.deps.partition, records: records.length, bytes });
    for (const record of records) {
      const entry = this.attempts.get(record.offset) ?? { attempts: 0 };
      entry.attempts++;
      this.attempts.set(record.offset, entry);
    }
    const invocationEnded = await this.deps.availability?.invocationStarts();
    const started = performance.now();
    let result: InvokeResult;
    try {
      result = await this.deps.invoke(event);
    } catch (error) {
      result = {
        ok: false,
        error: {
          class: (error as Error)?.name ?? 'Error',
          message: String((error as Error)?.message ?? error),
        },
      };
    } finally {
      invocationEnded?.();
    }
    const partial = result.ok && interpretBatchResponse(records, result.response).kind !== 'success';
    this.deps.counters.invocations++;
    if (!result.ok) this.deps.counters.failedInvocations++;
    this.deps.observer.onInvocation?.({
      partition: this.deps.partition,
      records: records.length,
      durationMs: performance.now() - started,
      ok: result.ok,
      partial,
    });
    return result;
  }

  private markFailed(records: MskRecord[]): void {
    const at = new Date(this.now());
    for (const record of records) {
      const entry = this.attempts.get(record.offset);
      if (entry && !entry.firstFailureAt) entry.firstFailureAt = at;
    }
  }

  /** Records given up on: to the DLQ (retrying the write until it works) or discarded without one. */
  private async giveUp(records: MskRecord[], reason: DlqReason, error: unknown): Promise<void> {
    if (this.deps.deadLetter) {
      const items = records.map((record) => {
        const entry = this.attempts.get(record.offset);
        return {
          record,
          attempts: entry?.attempts ?? 0,
          firstFailureAt: entry?.firstFailureAt ?? new Date(this.now()),
        };
      });
      // Stopping abandons the write: the records stay uncommitted and are delivered again later.
      await this.deps.deadLetter(items, reason, error, () => this.stopping);
      this.deps.counters.recordsDeadLettered += records.length;
    } else {
      this.deps.counters.recordsDiscarded += records.length;
    }
    this.deps.observer.onDeadLettered?.({
      partition: this.deps.partition,
      records,
      reason,
      topic: this.deps.deadLetterTopic,
    });
    this.settle(records);
  }

  private settle(records: readonly MskRecord[]): void {
    for (const record of records) {
      this.unsettled.delete(record.offset);
      this.attempts.delete(record.offset);
    }
  }

  /** Commit up to the first unsettled record (or past the last one seen). */
  private async commitSettled(): Promise<void> {
    if (this.killed) return;
    let next = this.highestSeen >= 0 ? this.highestSeen + 1 : this.startOffset;
    if (next === undefined) return;
    for (const offset of this.unsettled) if (offset < next) next = offset;
    if (next <= this.lastCommitted) return;
    await this.deps.commit(next);
    this.lastCommitted = Math.max(this.lastCommitted, next);
  }

  private sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, Math.max(ms, 0));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
