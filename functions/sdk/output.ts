/**
 * A processor's return value → Kafka messages for the output topic.
 */
import { OUTPUT_RECORD, type OutputRecord, type ProcessorResult } from './types.ts';

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

/** Builds the message: the processor's key, else the source key (base64 as Lambda delivered it). */
export function toMessage<O>(
  output: OutputRecord<O>,
  sourceKeyBase64: string | undefined | null,
  lineage: Record<string, string>,
): OutgoingMessage {
  const key =
    output.key !== undefined ? output.key : sourceKeyBase64 ? Buffer.from(sourceKeyBase64, 'base64') : null;
  return {
    key,
    value: JSON.stringify(output.value),
    headers: output.headers ? { ...output.headers, ...lineage } : lineage,
  };
}
