/**
 * An ingest request body → records. `application/json` is one record, or a batch when it is an array;
 * `application/x-ndjson` (or `application/ndjson`) is one record per non-blank line
 * (https://github.com/ndjson/ndjson-spec). A JSON body that does not parse refuses the whole request; an NDJSON
 * line that does not parse refuses that record only, as any other invalid record.
 */
import { isUtf8 } from 'node:buffer';

/** Media types the endpoint takes, for 415 answers (`Accept-Post`). */
export const INGEST_MEDIA_TYPES = ['application/json', 'application/x-ndjson', 'application/ndjson'] as const;

/** One record of the body: its JSON value, or why its line is not JSON. */
export type BodyRecord = { value: unknown } | { notJson: string };

export type ParsedBody =
  | { ok: true; records: BodyRecord[] }
  | { ok: false; status: 400 | 415; error: string };

export function parseIngestBody(contentType: string | undefined, body: Buffer): ParsedBody {
  const [mediaType = '', ...parameters] = (contentType ?? '')
    .split(';')
    .map((part) => part.trim().toLowerCase());
  if (!(INGEST_MEDIA_TYPES as readonly string[]).includes(mediaType))
    return {
      ok: false,
      status: 415,
      error: `Content-Type ${contentType ? JSON.stringify(contentType) : 'is missing'}${contentType ? ' is not accepted' : ''}: send ${INGEST_MEDIA_TYPES.join(' or ')}`,
    };
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8')
    return { ok: false, status: 415, error: `charset ${charset} is not accepted: JSON is UTF-8 (RFC 8259)` };
  if (!isUtf8(body)) return { ok: false, status: 400, error: 'the body is not valid UTF-8' };
  const text = body.toString('utf8');
  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { ok: false, status: 400, error: `the body is not JSON: ${(error as Error).message}` };
    }
    const values = Array.isArray(parsed) ? parsed : [parsed];
    if (values.length === 0)
      return { ok: false, status: 400, error: 'the body is an empty array: no records' };
    return { ok: true, records: values.map((value) => ({ value })) };
  }
  const records: BodyRecord[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      records.push({ value: JSON.parse(line) });
    } catch (error) {
      records.push({ notJson: `line ${index + 1} is not JSON: ${(error as Error).message}` });
    }
  }
  if (records.length === 0)
    return { ok: false, status: 400, error: 'the body has no records (no non-blank line)' };
  return { ok: true, records };
}
