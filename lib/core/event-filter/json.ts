/**
 * JSON as event-ruler reads it: a number keeps the text it was written with, because the engine compares
 * numbers it cannot represent exactly (`9007199254740993`, `1e400`) as text, and `JSON.parse` would round
 * them to doubles first.
 */

/** A number literal together with its source text (`1e2`, `-0`, `9007199254740993`). */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonNumber
  | JsonValue[]
  | { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)
  );
}

/**
 * Text that may hold a number `JSON.parse` cannot carry faithfully: sixteen or more digits (more than a
 * double holds exactly) or a three-digit exponent (overflow, subnormals). False positives only cost speed.
 */
const NEEDS_NUMBER_TEXT = /\d[\d.]{15}|\d[eE][+-]?\d{3}/;

/**
 * Parses a record value: `JSON.parse` when number text cannot matter (`never`) or every number survives
 * it (`when-needed`), the text-keeping parser otherwise.
 */
export function parseJsonValue(text: string, keepNumberText: 'always' | 'when-needed' | 'never'): JsonValue {
  if (keepNumberText === 'never' || (keepNumberText === 'when-needed' && !NEEDS_NUMBER_TEXT.test(text)))
    return JSON.parse(text) as JsonValue;
  try {
    return parseJsonKeepingNumbers(text);
  } catch (error) {
    // Nesting deeper than the stack: JSON.parse copes, at the price of number text.
    if (error instanceof RangeError) return JSON.parse(text) as JsonValue;
    throw error;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** A strict JSON parser (RFC 8259) whose numbers are `JsonNumber`s; objects have no prototype. */
export function parseJsonKeepingNumbers(text: string): JsonValue {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${at} of JSON`);
  };
  const skip = () => {
    WHITESPACE.lastIndex = at;
    WHITESPACE.test(text);
    at = WHITESPACE.lastIndex;
  };
  const stringToken = (): string => {
    const start = at;
    at++;
    for (;;) {
      const quote = text.indexOf('"', at);
      if (quote < 0) fail('unterminated string');
      let backslashes = 0;
      for (let i = quote - 1; i > start && text.charCodeAt(i) === 92; i--) backslashes++;
      at = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (): JsonValue => {
    skip();
    const c = text[at];
    if (c === '{') {
      at++;
      const result: Record<string, JsonValue> = Object.create(null);
      skip();
      if (text[at] === '}') {
        at++;
        return result;
      }
      for (;;) {
        skip();
        if (text[at] !== '"') fail('expected a property name');
        const key = stringToken();
        skip();
        if (text[at] !== ':') fail("expected ':'");
        at++;
        result[key] = value();
        skip();
        if (text[at] === ',') at++;
        else if (text[at] === '}') {
          at++;
          return result;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      at++;
      const result: JsonValue[] = [];
      skip();
      if (text[at] === ']') {
        at++;
        return result;
      }
      for (;;) {
        result.push(value());
        skip();
        if (text[at] === ',') at++;
        else if (text[at] === ']') {
          at++;
          return result;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return stringToken();
    if (text.startsWith('true', at)) {
      at += 4;
      return true;
    }
    if (text.startsWith('false', at)) {
      at += 5;
      return false;
    }
    if (text.startsWith('null', at)) {
      at += 4;
      return null;
    }
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (!match) return fail('unexpected character');
    at = NUMBER.lastIndex;
    return new JsonNumber(match[0]);
  };
  const result = value();
  skip();
  if (at !== text.length) fail('unexpected text after the value');
  return result;
}
