/**
 * Numbers the way event-ruler compares them (ComparableNumber): a decimal is comparable when it is exactly
 * the shortest decimal of its double (so `0.1` is, `9007199254740993` and `1e400` are not). The engine reads
 * the text through BigDecimal, which has no negative zero, so `-0` is `0`. A comparable number becomes a
 * 10-character key (base-128 digits of the sign-flipped IEEE-754 bits) whose string order is numeric order.
 */

const bits = new DataView(new ArrayBuffer(8));

/** event-ruler's ComparableNumber.numbits of a finite double, as a 10-character string (codes 0–127). */
export function comparableKey(value: number): string {
  bits.setFloat64(0, value === 0 ? 0 : value);
  let hi = bits.getUint32(0);
  let lo = bits.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi ^ 0x80000000) >>> 0;
  }
  return String.fromCharCode(
    hi >>> 31,
    (hi >>> 24) & 0x7f,
    (hi >>> 17) & 0x7f,
    (hi >>> 10) & 0x7f,
    (hi >>> 3) & 0x7f,
    ((hi << 4) | (lo >>> 28)) & 0x7f,
    (lo >>> 21) & 0x7f,
    (lo >>> 14) & 0x7f,
    (lo >>> 7) & 0x7f,
    lo & 0x7f,
  );
}

/** The bounds of a one-sided numeric range: ±Double.MAX_VALUE, closed. */
export const LOWEST_KEY = comparableKey(-Number.MAX_VALUE);
export const HIGHEST_KEY = comparableKey(Number.MAX_VALUE);

const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/** A decimal's value as `digits e exponent` with no leading or trailing zeros, or undefined if not a decimal. */
function canonicalDecimal(text: string): string | undefined {
  const match = DECIMAL.exec(text);
  if (!match || (match[2] === '' && !match[3])) return undefined;
  const fraction = match[3] ?? '';
  let digits = (match[2] + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = BigInt(match[4] ?? '0') - BigInt(fraction.length);
  const trimmed = digits.replace(/0+$/, '');
  exponent += BigInt(digits.length - trimmed.length);
  digits = trimmed;
  return `${match[1] === '-' ? '-' : ''}${digits}e${exponent}`;
}

/** Whether two decimal texts have the same value (BigDecimal.compareTo), e.g. `1e2` and `100.0`. */
export function sameDecimal(a: string, b: string): boolean {
  const left = canonicalDecimal(a);
  return left !== undefined && left === canonicalDecimal(b);
}

/**
 * The comparable key of a number literal, or undefined when event-ruler cannot compare it numerically
 * (infinite, or its double prints differently): such a number only ever equals the same text.
 */
export function comparableKeyOfText(text: string): string | undefined {
  const value = Number(text);
  if (!Number.isFinite(value) || !sameDecimal(text, String(value))) return undefined;
  return comparableKey(value);
}

/** The text JSON gives a JavaScript number (what a manifest's YAML number is deployed as). */
export function jsonNumberText(value: number): string | undefined {
  return Number.isFinite(value) ? JSON.stringify(value) : undefined;
}
