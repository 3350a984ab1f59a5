/**
 * IP addresses as event-ruler reads them (its CIDR class over java.net.InetAddress): a string that looks
 * like an IPv4 or IPv6 literal becomes upper-case hex digits of its 4 or 16 bytes, so `10.0.0.1`,
 * `010.0.0.1` and `::ffff:a00:1` are the same address. A pattern string that is an IP literal matches the
 * address, not the text; `cidr` matches a range of them.
 */

const IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** The address as 8 or 32 upper-case hex digits, or undefined if the text is not an IP literal. */
export function ipToHex(text: string): string | undefined {
  const bytes = ipBytes(text);
  return bytes && toHex(bytes);
}

function toHex(bytes: number[]): string {
  return bytes.map((byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join('');
}

function ipBytes(text: string): number[] | undefined {
  if (IPV4.test(text)) return ipv4Bytes(text);
  if (IPV6.test(text)) return ipv6Bytes(text);
  return undefined;
}

/** IPAddressUtil.textToNumericFormatV4 for the dotted-quad form: at most 15 characters, parts up to 255. */
function ipv4Bytes(text: string): number[] | undefined {
  if (text.length > 15) return undefined;
  const parts = text.split('.').map(Number);
  return parts.every((part) => part <= 255) ? parts : undefined;
}

/** IPAddressUtil.textToNumericFormatV6 (hex groups, one `::`), then IPv4-mapped addresses as IPv4. */
function ipv6Bytes(text: string): number[] | undefined {
  if (text.length < 2) return undefined;
  const out = new Array<number>(16).fill(0);
  let i = 0;
  let j = 0;
  let gap = -1;
  if (text[0] === ':' && text[++i] !== ':') return undefined;
  let sawDigit = false;
  let group = 0;
  while (i < text.length) {
    const ch = text[i++]!;
    if (ch !== ':') {
      group = (group << 4) | Number.parseInt(ch, 16);
      if (group > 0xffff) return undefined;
      sawDigit = true;
      continue;
    }
    if (!sawDigit) {
      if (gap !== -1) return undefined;
      gap = j;
      continue;
    }
    if (i === text.length || j + 2 > 16) return undefined;
    out[j++] = group >> 8;
    out[j++] = group & 0xff;
    sawDigit = false;
    group = 0;
  }
  if (sawDigit) {
    if (j + 2 > 16) return undefined;
    out[j++] = group >> 8;
    out[j++] = group & 0xff;
  }
  if (gap !== -1) {
    if (j === 16) return undefined;
    const moved = j - gap;
    for (let k = 1; k <= moved; k++) {
      out[16 - k] = out[gap + moved - k]!;
      out[gap + moved - k] = 0;
    }
    j = 16;
  }
  if (j !== 16) return undefined;
  const mapped = out.slice(0, 10).every((byte) => byte === 0) && out[10] === 0xff && out[11] === 0xff;
  return mapped ? out.slice(12) : out;
}

/** A range of addresses as event-ruler builds it: hex-digit bounds of equal length, each open or closed. */
export interface HexRange {
  bottom: string;
  top: string;
  openBottom: boolean;
  openTop: boolean;
}

/** CIDR.cidr: the addresses of `a.b.c.d/n` or `x::/n`, or event-ruler's reason for refusing it. */
export function cidrRange(text: string): HexRange | { error: string } {
  const slashed = javaSplit(text, '/');
  if (slashed.length !== 2) return { error: "Malformed CIDR, one '/' required" };
  const mask = javaParseInt(slashed[1]!);
  if (mask === undefined) return { error: 'Malformed CIDR, mask bits must be an integer' };
  if (mask < 0) return { error: 'Malformed CIDR, mask bits must not be negative' };
  const base = slashed[0]!;
  const bytes = IPV4.test(base) || IPV6.test(base) ? ipBytes(base) : [];
  if (bytes === undefined) return { error: `Invalid IP address: ${base}` };
  if (bytes.length !== 4 && bytes.length !== 16) return { error: `Nonstandard IP address: ${base}` };
  if (bytes.length === 4 && mask > 31) return { error: 'IPv4 mask bits must be < 32' };
  if (bytes.length === 16 && mask > 127) return { error: 'IPv6 mask bits must be < 128' };
  let variable = bytes.length * 8 - mask;
  const bottom = [...bytes];
  const top = [...bytes];
  for (let k = bytes.length - 1; k >= 0 && variable > 0; k--, variable -= 8) {
    const free = (1 << Math.min(8, variable)) - 1;
    bottom[k] = bytes[k]! & ~free & 0xff;
    top[k] = bytes[k]! | free;
  }
  return { bottom: toHex(bottom), top: toHex(top), openBottom: false, openTop: false };
}

/**
 * The one-address range of an IP literal (CIDR.ipToRangeIfPossible), or undefined. The engine writes it as
 * a half-open range on the last hex digit (…1 to …2 open, or …E open to …F), which matters for how far
 * it reads a value (see rangeMatches).
 */
export function ipLiteralRange(text: string): HexRange | undefined {
  const hex = ipToHex(text);
  if (hex === undefined) return undefined;
  const head = hex.slice(0, -1);
  const last = hex.at(-1)!;
  if (last === 'F') return { bottom: `${head}E`, top: hex, openBottom: true, openTop: false };
  const next = last === '9' ? 'A' : String.fromCharCode(last.charCodeAt(0) + 1);
  return { bottom: hex, top: `${head}${next}`, openBottom: false, openTop: true };
}

/** Java's String.split: trailing empty strings are dropped. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 0 ? [''] : parts;
}

/** Java's Integer.parseInt: an optional sign and decimal digits, within 32 bits. */
function javaParseInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= -(2 ** 31) && value < 2 ** 31 ? value : undefined;
}
