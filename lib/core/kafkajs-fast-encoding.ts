/**
 * Faster drop-ins for two of kafkajs 2.2.4's per-record encoding modules, byte for byte what kafkajs writes:
 * the record encoder (`protocol/recordBatch/record/v0`) and the CRC-32C of each record batch
 * (`protocol/recordBatch/crc32C/crc32C.js`). kafkajs allocates a zeroed 512-byte Buffer per header plus a Buffer
 * per varint and computes varlongs through BigInt, so an output record with the SDK's nine lineage headers cost
 * ~35 µs of encoding; here one pooled Buffer of the exact size is written per record (~16 µs), and the CRC runs
 * eight bytes per step (slicing-by-8) instead of one. Anything outside the fast path goes to kafkajs' original
 * encoder, so errors are kafkajs' too.
 *
 * Used in two places: the local execution environments swap them into the installed kafkajs
 * (lib/local/function-host/kafkajs-speedups.ts), and consumer function bundles get them in the prebuilt kafkajs
 * (lib/aws/kafkajs-producer-build.mjs).
 */

type Bytes = Buffer | string | null | undefined;
interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
}
/** kafkajs' Encoder as far as the record batch reads it back: `buf`, `offset` and its prototype's methods. */
interface EncoderLike {
  buf: Buffer;
  offset: number;
}
export type EncoderClass = { prototype: object };
export type RecordEncoder = (record: RecordInput) => EncoderLike;

/** Kafka's Record v2 (what kafkajs calls record v0), byte for byte as kafkajs writes it. */
export function fastRecordEncoder(Encoder: EncoderClass, original: RecordEncoder): RecordEncoder {
  return (record) => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = record;
    if (!isBytes(key) || !isBytes(value) || !isSafeDelta(timestampDelta) || !Number.isInteger(offsetDelta))
      return original(record);
    const headerKeys: string[] = [];
    const headerValues: Array<Buffer | string> = [];
    for (const name of Object.keys(headers)) {
      const entry = headers[name];
      for (const item of Array.isArray(entry) ? entry : [entry]) {
        if (!(typeof item === 'string' || Buffer.isBuffer(item))) return original(record);
        headerKeys.push(name);
        headerValues.push(item);
      }
    }
    const keyLength = byteLength(key);
    const valueLength = byteLength(value);
    let headersSize = varIntSize(headerKeys.length);
    const headerKeyLengths: number[] = [];
    const headerValueLengths: number[] = [];
    for (let i = 0; i < headerKeys.length; i++) {
      const k = Buffer.byteLength(headerKeys[i]!);
      const v = byteLength(headerValues[i]);
      headerKeyLengths.push(k);
      headerValueLengths.push(v);
      headersSize += varIntSize(k) + k + varIntSize(v) + v;
    }
    const bodySize =
      1 +
      varLongSize(timestampDelta) +
      varIntSize(offsetDelta) +
      varIntSize(keyLength) +
      Math.max(keyLength, 0) +
      varIntSize(valueLength) +
      Math.max(valueLength, 0) +
      headersSize;
    const total = varIntSize(bodySize) + bodySize;
    // Pooled (no backing store of its own): the record batch copies it and drops it right away.
    const buf = Buffer.allocUnsafe(total);
    let at = writeVarInt(buf, 0, bodySize);
    buf[at++] = 0; // attributes: none used
    at = writeVarLong(buf, at, timestampDelta);
    at = writeVarInt(buf, at, offsetDelta);
    at = writeBytes(buf, at, key, keyLength);
    at = writeBytes(buf, at, value, valueLength);
    at = writeVarInt(buf, at, headerKeys.length);
    for (let i = 0; i < headerKeys.length; i++) {
      at = writeBytes(buf, at, headerKeys[i], headerKeyLengths[i]!);
      at = writeBytes(buf, at, headerValues[i], headerValueLengths[i]!);
    }
    const encoder = Object.create(Encoder.prototype) as EncoderLike;
    encoder.buf = buf;
    encoder.offset = at;
    return encoder;
  };
}

function isBytes(value: unknown): value is Bytes {
  return value === null || value === undefined || typeof value === 'string' || Buffer.isBuffer(value);
}

/** Deltas whose zigzag form JavaScript numbers hold exactly. */
function isSafeDelta(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < 2 ** 51;
}

/** Bytes of a value, -1 for null (Kafka's null bytes). */
function byteLength(value: Bytes): number {
  if (value === null || value === undefined) return -1;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

function zigZag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function varIntSize(value: number): number {
  let encoded = zigZag32(value);
  let bytes = 1;
  while (encoded >= 0x80) {
    bytes++;
    encoded >>>= 7;
  }
  return bytes;
}

function varLongSize(value: number): number {
  let encoded = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (encoded >= 0x80) {
    bytes++;
    encoded = Math.floor(encoded / 0x80);
  }
  return bytes;
}

function writeVarInt(buf: Buffer, at: number, value: number): number {
  let encoded = zigZag32(value);
  while (encoded >= 0x80) {
    buf[at++] = (encoded & 0x7f) | 0x80;
    encoded >>>= 7;
  }
  buf[at++] = encoded;
  return at;
}

function writeVarLong(buf: Buffer, at: number, value: number): number {
  let encoded = value >= 0 ? value * 2 : -value * 2 - 1;
  while (encoded >= 0x80) {
    buf[at++] = (encoded % 0x80) | 0x80;
    encoded = Math.floor(encoded / 0x80);
  }
  buf[at++] = encoded;
  return at;
}

/** varint length, then the bytes (UTF-8 for a string); length -1 and nothing for null. */
function writeBytes(buf: Buffer, at: number, value: Bytes, length: number): number {
  at = writeVarInt(buf, at, length);
  if (value === null || value === undefined) return at;
  if (typeof value === 'string') buf.write(value, at, length, 'utf8');
  else value.copy(buf, at);
  return at + length;
}

/** CRC-32C (Castagnoli), reflected, table-driven eight bytes at a time. */
const CRC_TABLES = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0]![n] = c;
  }
  for (let n = 0; n < 256; n++)
    for (let t = 1; t < 8; t++)
      tables[t]![n] = (tables[t - 1]![n]! >>> 8) ^ tables[0]![tables[t - 1]![n]! & 0xff]!;
  return tables;
})();

export function crc32C(buffer: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  let crc = -1;
  const length = buffer.length;
  let i = 0;
  for (const end = length - (length % 8); i < end; i += 8) {
    const a = crc ^ (buffer[i]! | (buffer[i + 1]! << 8) | (buffer[i + 2]! << 16) | (buffer[i + 3]! << 24));
    crc =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[buffer[i + 4]!]! ^
      t2[buffer[i + 5]!]! ^
      t1[buffer[i + 6]!]! ^
      t0[buffer[i + 7]!]!;
  }
  for (; i < length; i++) crc = t0[(crc ^ buffer[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
