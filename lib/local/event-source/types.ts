/**
 * The types the event-source emulator shares with whoever runs it (the local runtime, tests, metrics).
 */
import type { DlqReason } from '../../core/dlq-envelope.ts';
import type { MskEvent, MskRecord } from '../../core/msk-event.ts';

/** The outcome of one invocation, as a Lambda invoke reports it. */
export type InvokeResult =
  /** The handler returned; `response` is what it returned (a partial batch response, or anything). */
  | { ok: true; response?: unknown }
  /** The handler threw, timed out or its container crashed: a function error. */
  | { ok: false; error: { class: string; message: string } };

/** Invokes the consumer's function with one event; never throws (a throw is treated as a function error). */
export type InvokeFunction = (event: MskEvent) => Promise<InvokeResult>;

/** Callbacks for metrics and accounting; each is optional and must not throw. */
export interface EventSourceObserver {
  /** An event is about to be sent to the function; `bytes` as counted against the payload cap. */
  onBatch?(info: { partition: number; records: number; bytes: number }): void;
  /** An invocation finished. */
  onInvocation?(info: {
    partition: number;
    records: number;
    durationMs: number;
    ok: boolean;
    partial: boolean;
  }): void;
  /** Records that did not match the consumer's filters; they are committed, never delivered. */
  onFiltered?(info: { partition: number; records: number }): void;
  /**
   * Records given up on: written to `topic` (the on-failure destination) or, with no destination,
   * discarded as Lambda does (`topic` undefined).
   */
  onDeadLettered?(info: { partition: number; records: MskRecord[]; reason: DlqReason; topic?: string }): void;
  /** The group's committed offset of a partition moved to `offset` (the next record to read). */
  onCommitted?(info: { topic: string; partition: number; offset: number }): void;
  /** Something went wrong outside the function (commit, DLQ write, broker); the mapping keeps going. */
  onError?(info: { stage: 'commit' | 'dead-letter' | 'consumer'; error: unknown }): void;
}

/** Counters since the mapping started. */
export interface EventSourceStats {
  invocations: number;
  failedInvocations: number;
  recordsDelivered: number;
  recordsFiltered: number;
  recordsDeadLettered: number;
  recordsDiscarded: number;
  /** Records fetched but not yet settled (delivered successfully, filtered or dead-lettered). */
  recordsPending: number;
  state: 'starting' | 'running' | 'paused' | 'stopped';
}

/** What the event source knows of the local platform's outages (lib/local/supervisor.ts's Availability). */
export interface PlatformAvailability {
  /** True when a supervised service was down at any moment since `since` (epoch ms), or just came back. */
  disturbedSince(since: number): boolean;
  /** True when every service is up and has been for a grace period. */
  settledNow(): boolean;
  /** Waits while invocations are held back (a store restart's clean-up), then counts one until `done()`. */
  invocationStarts(): Promise<() => void>;
}
