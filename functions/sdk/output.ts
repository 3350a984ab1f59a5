/**
 * A processor's return value → Kafka messages for the output topic.
 */
import { LINEAGE_HEADERS } from '../../lib/core/lineage.ts';
import { OUTPUT_RECORD, type OutputRecord, type ProcessorResult } from './types.ts';

const OUTPUT_INDEX = LINEAGE_HEADERS.outputIndex;
const OUTPUT_COUNT = LINEAGE_HEADERS.outputCount;

/** A message as the producer sends it. */
export interface OutgoingMessage {
  key: Buffer | string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * An output with its own key or headers. Return plain values when the source key is the right key (the
 * default keeps related records on the same partition downstream).
 */
export function outputRecord<O>(output: {
  value: O;
  key?: string | null;
  headers?: Record<string, string>;
}): OutputRecord<O> {
  return { [OUTPUT_RECORD]: true, ...output };
}

export function isOutputRecord<O>(value: unknown): value is OutputRecord<O> {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[OUTPUT_RECORD] === true
  );
}

/** Flattens a processor result; `null`/`undefined` (drop the record) gives no outputs. */
export function outputsOf<O>(result: ProcessorResult<O>): OutputRecord<O>[] {
  if (result === null || result === undefined) return [];
  const items = Array.isArray(result) ? (result as ReadonlyArray<O | OutputRecord<O>>) : [result as O];
  return items.map((item) => (isOutputRecord<O>(item) ? item : outputRecord({ value: item })));
}

/**
 * A processor result → messages: the processor's key, else the source key (base64 as Lambda delivered it);
 * lineage headers, with each output's position among the record's outputs, win over the processor's. `check`
 * sees every value first (the output schema).
 * Plain values are not wrapped in output records first: this runs for every record of every batch.
 */
export function toMessages<O>(
  result: ProcessorResult<O>,
  sourceKeyBase64: string | undefined | null,
  lineage: () => Record<string, string>,
  check?: (value: O) => void,
): OutgoingMessage[] {
  if (result === null || result === undefined) return [];
  const items = Array.isArray(result) ? (result as ReadonlyArray<O | OutputRecord<O>>) : [result as O];
  if (items.length === 0) return [];
  // A fresh object per record (lineageHeaders builds one per call): the first output takes it as it is, the
  // others a copy with their own position.
  const first = lineage();
  first[OUTPUT_INDEX] = '0';
  first[OUTPUT_COUNT] = String(items.length);
  let sourceKey: Buffer | null | undefined;
  const messages: OutgoingMessage[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const headers = index === 0 ? first : { ...first, [OUTPUT_INDEX]: String(index) };
    const explicit = isOutputRecord<O>(item) ? item : undefined;
    const value = explicit ? explicit.value : (item as O);
    check?.(value);
    let key: Buffer | string | null;
    if (explicit && explicit.key !== undefined) key = explicit.key;
    else {
      if (sourceKey === undefined)
        sourceKey = sourceKeyBase64 ? Buffer.from(sourceKeyBase64, 'base64') : null;
      key = sourceKey;
    }
    messages.push({
      key,
      value: JSON.stringify(value),
      headers: explicit?.headers ? { ...explicit.headers, ...headers } : headers,
    });
  }
  return messages;
}

/** Builds one message; see `toMessages`. */
export function toMessage<O>(
  output: OutputRecord<O>,
  sourceKeyBase64: string | undefined | null,
  lineage: Record<string, string>,
): OutgoingMessage {
  return toMessages<O>(output, sourceKeyBase64, () => ({ ...lineage }))[0]!;
}
