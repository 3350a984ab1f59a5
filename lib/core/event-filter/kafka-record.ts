/**
 * Lambda's filter input for a Kafka record. https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html:
 * "Lambda decodes Kafka byte arrays into UTF-8 before applying filter criteria", the value may be "valid JSON
 * format or plain strings", and "if your messages use another encoding … or if the message format doesn't
 * match the FilterCriteria format, Lambda processes metadata filters only". So:
 * - a JSON value (an object or array) is filtered by a JSON pattern (a mapping under `value`);
 * - any other UTF-8 value is a plain string, filtered by a plain pattern (a list under `value`);
 * - otherwise (mismatch, not UTF-8, no value) the filter sees no `value` at all: `value` matchers fail and
 *   only `exists: false` can hold. AWS's own sample (aws-samples/serverless-patterns,
 *   lambda-esm-msk-filters-sam) shows JSON patterns dropping a plain-string record and a plain pattern
 *   dropping JSON records.
 */
import { isUtf8 } from 'node:buffer';
import { type JsonValue, parseJsonValue } from './json.ts';

/** How a pattern reads the value: a mapping under `value` wants JSON, a list wants a plain string. */
export type ValueForm = 'json' | 'plain';

/** The record value, decoded once and shared by every pattern of a consumer. */
export class DecodedValue {
  private decoded?: { text: string | undefined };
  private parsed?: { json: JsonValue | undefined };

  /**
   * @param keepNumberText parse numbers keeping their text (see json.ts): `'always'` when a filter reads IP
   * addresses (they read a bare number's digits), `'when-needed'` when filters compare numbers, `'never'`.
   */
  /**
   * @param encoded the record's value: base64 as in the event, or its bytes when the caller still has them
   * (the event source does: decoding them again from base64 is work for nothing).
   */
  constructor(
    private readonly encoded: string | Uint8Array | null | undefined,
    private readonly keepNumberText: 'always' | 'when-needed' | 'never',
  ) {}

  /** The value as UTF-8 text; undefined when there is none or it is not valid UTF-8. */
  get text(): string | undefined {
    if (!this.decoded) {
      let text: string | undefined;
      if (typeof this.encoded === 'string' || this.encoded instanceof Uint8Array) {
        const bytes =
          typeof this.encoded === 'string'
            ? Buffer.from(this.encoded, 'base64')
            : Buffer.from(this.encoded.buffer, this.encoded.byteOffset, this.encoded.byteLength);
        // Strict: bytes that are not UTF-8 make no text (Buffer#toString would replace them); a BOM stays.
        if (isUtf8(bytes)) text = bytes.toString('utf8');
      }
      this.decoded = { text };
    }
    return this.decoded.text;
  }

  /** The value parsed, if it is a JSON object or array; undefined for plain strings. */
  get json(): JsonValue | undefined {
    if (!this.parsed) {
      const text = this.text;
      let json: JsonValue | undefined;
      if (text !== undefined && STARTS_LIKE_JSON.test(text)) {
        try {
          json = parseJsonValue(text, this.keepNumberText);
        } catch {
          json = undefined;
        }
      }
      this.parsed = { json };
    }
    return this.parsed.json;
  }

  /** What a pattern of this form sees as `value`, or undefined when it sees none. */
  valueFor(form: ValueForm): JsonValue | undefined {
    const json = this.json;
    if (form === 'json') return json;
    return json === undefined ? this.text : undefined;
  }

  /** Whether JSON strings may hold `\u` escapes of lone surrogates, which need sanitizing. */
  get hasEscapes(): boolean {
    return this.text?.includes('\\u') ?? false;
  }
}

/** Only an object or an array counts as a JSON value; a bare JSON scalar (`5`, `"x"`) is a plain string. */
const STARTS_LIKE_JSON = /^[ \t\n\r]*[[{]/;
