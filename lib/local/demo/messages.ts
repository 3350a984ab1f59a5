/** Demo events as Kafka messages, each tagged with its sequence number and kind (see DEMO_HEADERS). */
import type { Message } from 'kafkajs';
import { kindAt } from './generators.ts';
import { DEMO_HEADERS, type DemoGenerator, type DemoRecordKind } from './types.ts';

export interface DemoMessagesOptions {
  /** Stop after this many; endless when undefined. */
  count?: number;
  /** Tags every record with the run, so records of earlier runs on a shared broker are told apart. */
  runId: string;
  /**
   * Include poison records (bad JSON, schema violations, handler failures) in the mix of `kindAt`.
   * @default true
   */
  poison?: boolean;
  /** Called with each record's kind, in order (the demo's ledger). */
  onRecord?: (seq: number, kind: DemoRecordKind) => void;
}

export function* demoMessages(generator: DemoGenerator, options: DemoMessagesOptions): Generator<Message> {
  const poison = options.poison === false ? [] : generator.poison;
  for (let seq = 0; options.count === undefined || seq < options.count; seq++) {
    const kind = kindAt(seq, poison);
    const record = generator.next(seq, kind);
    options.onRecord?.(seq, kind);
    yield {
      key: record.key,
      value: record.value,
      headers: {
        [DEMO_HEADERS.seq]: String(seq),
        [DEMO_HEADERS.kind]: kind,
        [DEMO_HEADERS.run]: options.runId,
      },
    };
  }
}
