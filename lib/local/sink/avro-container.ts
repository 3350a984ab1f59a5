/**
 * Avro object container files in memory, with avsc. The schema is passed as JSON (not as a parsed type) so
 * the header keeps Iceberg's `field-id`, `element-id` and `logicalType: map` attributes: Iceberg readers
 * resolve manifest columns by those ids.
 */
import avro from 'avsc';

export type AvroSchema = Record<string, unknown>;

/**
 * Encode records into one Avro file.
 * @param metadata file key-value metadata (Iceberg puts the table schema and partition spec here)
 */
export async function writeAvroFile(
  schema: AvroSchema,
  records: unknown[],
  metadata: Record<string, string>,
): Promise<Uint8Array> {
  const encoder = new avro.streams.BlockEncoder(
    schema as never,
    {
      codec: 'deflate',
      metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v)])),
      writeHeader: true,
    } as never,
  );
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    encoder.on('end', () => resolve());
    encoder.on('error', reject);
  });
  for (const record of records) encoder.write(record);
  encoder.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/** Iceberg's Avro form of a map with int keys: an array of key/value records (spec, "Avro" in Appendix A). */
export function intKeyMap(keyId: number, valueId: number, valueType: string): AvroSchema {
  return {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${keyId}_v${valueId}`,
      fields: [
        { name: 'key', type: 'int', 'field-id': keyId },
        { name: 'value', type: valueType, 'field-id': valueId },
      ],
    },
  };
}

/** An optional field: `["null", type]` with a null default. */
export function optional(name: string, fieldId: number, type: unknown): AvroSchema {
  return { name, type: ['null', type], default: null, 'field-id': fieldId };
}

/** Every record of an Avro file, decoded with the schema in its header. */
export function readAvroFile(bytes: Uint8Array): Promise<unknown[]> {
  const decoder = new avro.streams.BlockDecoder();
  const records: unknown[] = [];
  return new Promise((resolve, reject) => {
    decoder.on('data', (record: unknown) => records.push(record));
    decoder.on('end', () => resolve(records));
    decoder.on('error', reject);
    decoder.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}
