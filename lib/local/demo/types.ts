/**
 * What the demo generators produce. A record's `kind` is known by construction; where it ends up (output,
 * DLQ or filtered) is decided by the accounting from the kind and the consumer's real filters.
 */

export type DemoRecordKind =
  /** A valid event; it may still be filtered out by design (a bot page view, a cancellation). */
  | 'valid'
  /** Not JSON at all. A JSON `value` filter does not see such a value, so Lambda drops the record; without filters the SDK dead-letters it. */
  | 'bad-json'
  /** JSON that passes the filters but fails the topic's JSON Schema: the SDK dead-letters it. */
  | 'schema-violation'
  /** Valid per schema, but the handler throws on it every time: retried, then dead-lettered. */
  | 'handler-failure';

export const POISON_KINDS: readonly DemoRecordKind[] = ['bad-json', 'schema-violation', 'handler-failure'];

export interface DemoRecord {
  key: string | null;
  /** The raw value as produced (poison records are not always JSON). */
  value: string;
  kind: DemoRecordKind;
}

/** Makes the events of one source topic. */
export interface DemoGenerator {
  /** What it generates, for messages (`payments orders`). */
  readonly description: string;
  /** Kinds of poison this generator can make; the mix skips the others. */
  readonly poison: readonly DemoRecordKind[];
  /**
   * Why its "valid" events are not valid, when it cannot make one the topic's schema accepts (the SDK will
   * dead-letter them): the schema's first complaint.
   */
  readonly unsatisfied?: string;
  /** The `seq`-th event of the given kind. */
  next(seq: number, kind: DemoRecordKind): DemoRecord;
}

/** Headers on every demo record, so the accounting can tell them apart without parsing values. */
export const DEMO_HEADERS = {
  seq: 'stratus-demo-seq',
  kind: 'stratus-demo-kind',
  run: 'stratus-demo-run',
} as const;
