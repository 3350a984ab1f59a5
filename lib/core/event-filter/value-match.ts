/**
 * How one field's value meets the matchers of one pattern field, following event-ruler's ByteMachine.
 *
 * The engine compares byte strings: a string value is its text in double quotes (`"abc"`), any other value
 * its JSON text (`5`, `true`, `null`). It makes at most two passes over a value:
 * - if the field has an IP matcher and the value is an IP literal, a pass over the address's hex digits;
 * - if the field has a numeric matcher and the value is a number it can compare, a pass over the number's
 *   comparable key; otherwise a pass over the value's text.
 * Every matcher is tried in every pass, on whatever that pass reads (the engine does the same, which
 * gives it a few odd corners that are reproduced here rather than tidied away: an IP matcher also reads a
 * bare number's digits as hex, a prefix keeps its closing quote). `anything-but` matches when no excluded
 * value was seen in the text or numeric pass; `exists: true` matches any value.
 */
import { ipToHex } from './ip.ts';
import { type Wildcard, wildcardMatches } from './strings.ts';

/** One matcher of a pattern field, compiled (quoted strings, comparable keys, regular expressions). */
export type ValuePattern =
  | { kind: 'exact'; text: string }
  | { kind: 'numeric-equals'; key: string }
  | { kind: 'prefix'; text: string }
  | { kind: 'suffix'; text: string }
  | { kind: 'folded'; regex: RegExp }
  | { kind: 'wildcard'; wildcard: Wildcard }
  | { kind: 'range'; range: Range }
  | { kind: 'exists' }
  | { kind: 'anything-but'; values: ReadonlySet<string>; numeric: boolean }
  | { kind: 'anything-but-folded'; regexes: RegExp[] }
  | { kind: 'anything-but-prefix'; texts: string[] }
  | { kind: 'anything-but-suffix'; texts: string[] }
  | { kind: 'anything-but-wildcard'; wildcards: Wildcard[] };

/** A numeric or IP range: bounds of equal length over the range's digits, each end open or closed. */
export interface Range {
  bottom: string;
  top: string;
  openBottom: boolean;
  openTop: boolean;
  /** IP ranges run over upper-case hex digits, numeric ones over comparable keys (codes 0–127). */
  ip: boolean;
}

/** A field value prepared for matching. */
export interface FieldValue {
  /** The engine's bytes of the value: `"…"` for a string (unpaired surrogates as `?`), the JSON text otherwise. */
  text: string;
  /**
   * The value as a Java string, which is what an exact matcher compares (the engine checks exact matches
   * as whole strings): differs from `text` only for a string with an unpaired surrogate.
   */
  raw: string;
  /** The comparable key of a number the engine can compare, else undefined. */
  key: string | undefined;
  /** Whether the value is a string (only a string's inside is read as an IP address). */
  string: boolean;
}

type Pass = 'text' | 'numeric' | 'ip';

/** The matchers of one field of a pattern, e.g. `type: [order.created, { prefix: "refund." }]`. */
export class FieldMatcher {
  readonly absent: boolean;
  private readonly plain: ValuePattern[];
  private readonly anythingButs: ValuePattern[];
  private readonly numeric: boolean;
  private readonly ip: boolean;

  constructor(patterns: readonly ValuePattern[], absent: boolean) {
    this.absent = absent;
    this.plain = patterns.filter((pattern) => !pattern.kind.startsWith('anything-but'));
    this.anythingButs = patterns.filter((pattern) => pattern.kind.startsWith('anything-but'));
    this.numeric = patterns.some(
      (pattern) =>
        pattern.kind === 'numeric-equals' ||
        (pattern.kind === 'range' && !pattern.range.ip) ||
        (pattern.kind === 'anything-but' && pattern.numeric),
    );
    this.ip = patterns.some((pattern) => pattern.kind === 'range' && pattern.range.ip);
  }

  /** Whether the field has matchers for present values (not only `exists: false`). */
  get testsValues(): boolean {
    return this.plain.length > 0 || this.anythingButs.length > 0;
  }

  matches(value: FieldValue): boolean {
    if (this.ip) {
      const inner = value.text.length >= 2 && value.text.startsWith('"') && value.text.endsWith('"');
      const hex = ipToHex(inner ? value.text.slice(1, -1) : value.text);
      if (hex !== undefined && this.pass(hex, 'ip')) return true;
    }
    if (this.numeric && value.key !== undefined) return this.pass(value.key, 'numeric');
    return this.pass(value.text, 'text', value.raw);
  }

  private pass(read: string, pass: Pass, raw = read): boolean {
    for (const pattern of this.plain) if (plainMatches(pattern, read, pass, raw)) return true;
    if (pass === 'ip') return false;
    for (const pattern of this.anythingButs) if (!excludes(pattern, read, pass)) return true;
    return false;
  }
}

function plainMatches(pattern: ValuePattern, read: string, pass: Pass, raw: string): boolean {
  switch (pattern.kind) {
    case 'exact':
      return raw === pattern.text;
    case 'numeric-equals':
      return pass === 'numeric' && read === pattern.key;
    case 'prefix':
      return read.startsWith(pattern.text);
    case 'suffix':
      return read.endsWith(pattern.text);
    case 'folded':
      return pattern.regex.test(read);
    case 'wildcard':
      return wildcardMatches(pattern.wildcard, read);
    case 'range':
      return (pass === 'numeric') !== pattern.range.ip && rangeMatches(pattern.range, read);
    case 'exists':
      return true;
    default:
      return false;
  }
}

/** Whether an anything-but excludes what this pass reads (then it does not match). */
function excludes(pattern: ValuePattern, read: string, pass: Pass): boolean {
  switch (pattern.kind) {
    case 'anything-but':
      return pattern.numeric === (pass === 'numeric') && pattern.values.has(read);
    case 'anything-but-folded':
      return pattern.regexes.some((regex) => regex.test(read));
    case 'anything-but-prefix':
      return pattern.texts.some((text) => read.startsWith(text));
    case 'anything-but-suffix':
      return pattern.texts.some((text) => read.endsWith(text));
    case 'anything-but-wildcard':
      return pattern.wildcards.some((wildcard) => wildcardMatches(wildcard, read));
    default:
      return false;
  }
}

const HEX_DIGITS = '0123456789ABCDEF';

/**
 * ByteMachine.addRangePattern, read back: the engine stores a range as a trie along its two bounds and
 * reports a match at the first digit that settles it. So a value matches once its digits, compared with the
 * bounds from the left, first leave the shared prefix strictly inside the range, or first rise above the
 * bottom (fall below the top) after following it; equality to the last digit counts only at a closed end.
 * Characters that are not digits of the range stop the walk; digits after the deciding one are not read.
 */
export function rangeMatches(range: Range, read: string): boolean {
  const digit = range.ip
    ? (at: number) => (at < read.length ? HEX_DIGITS.indexOf(read[at]!) : -1)
    : (at: number) => (at < read.length && read.charCodeAt(at) < 128 ? read.charCodeAt(at) : -1);
  const bound = range.ip
    ? (text: string, at: number) => HEX_DIGITS.indexOf(text[at]!)
    : (text: string, at: number) => text.charCodeAt(at);
  const last = range.bottom.length - 1;
  let fork = 0;
  while (range.bottom[fork] === range.top[fork]) {
    if (digit(fork) !== bound(range.bottom, fork)) return false;
    fork++;
  }
  const at = digit(fork);
  if (at < 0) return false;
  const low = bound(range.bottom, fork);
  const high = bound(range.top, fork);
  if (at > low && at < high) return true;
  if (at === low) return followBound(range.bottom, fork, last, digit, bound, 1, range.openBottom);
  if (at === high) return followBound(range.top, fork, last, digit, bound, -1, range.openTop);
  return false;
}

/** After the fork, along one bound: beyond it (above the bottom, below the top) matches, equal continues. */
function followBound(
  text: string,
  fork: number,
  last: number,
  digit: (at: number) => number,
  bound: (text: string, at: number) => number,
  direction: 1 | -1,
  open: boolean,
): boolean {
  if (fork === last) return !open;
  for (let at = fork + 1; at <= last; at++) {
    const read = digit(at);
    if (read < 0) return false;
    const edge = bound(text, at);
    if ((read - edge) * direction > 0) return true;
    if (read !== edge) return false;
    if (at === last) return !open;
  }
  return false;
}
