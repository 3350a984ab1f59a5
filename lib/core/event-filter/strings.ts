/**
 * String operators the way event-ruler evaluates them: equals-ignore-case by per-character case mapping,
 * and wildcards with `*` and the escapes `\*` and `\\`. Values are compared as event-ruler's byte strings:
 * a string is wrapped in its double quotes, and a UTF-16 unit that is half a surrogate pair stands for `?`
 * (Java's UTF-8 encoder writes `?` for one).
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string as event-ruler's bytes see it: lone surrogates become `?`. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '?');
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;
const escapeRegExp = (text: string) => text.replace(REGEX_SPECIAL, '\\$&');

/**
 * EqualsIgnoreCaseParser: each UTF-16 unit of the pattern matches its Locale.ROOT lower-case or upper-case
 * form, and nothing else. So `ß` matches `ß` or `SS` (not `ss`), `ſ` matches `ſ` or `S`, a titlecase `ǅ`
 * matches `ǆ` or `Ǆ` but not itself, and a character outside the BMP is two units that each stand for `?`.
 */
export function caseFoldSource(text: string): string {
  let source = '';
  for (const unit of text.split('')) {
    const code = unit.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) {
      source += '\\?';
      continue;
    }
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    source += lower === upper ? escapeRegExp(lower) : `(?:${escapeRegExp(lower)}|${escapeRegExp(upper)})`;
  }
  return source;
}

/** A parsed wildcard: the literal pieces between the `*`s. */
export interface Wildcard {
  pieces: string[];
}

/**
 * WildcardParser over the quoted value (`"` + value + `"`): `*` is any run of characters, `\*` and `\\`
 * are literal, any other backslash and `**` are errors whose position is a byte offset in the quoted value.
 */
export function parseWildcard(quoted: string): Wildcard | { error: string } {
  const pieces: string[] = [''];
  const at = (i: number) => Buffer.byteLength(wellFormed(quoted.slice(0, i)));
  for (let i = 0; i < quoted.length; i++) {
    const ch = quoted[i]!;
    if (ch === '*') {
      if (quoted[i + 1] === '*') return { error: `Consecutive wildcard characters at pos ${at(i)}` };
      pieces.push('');
    } else if (ch === '\\') {
      const next = quoted[i + 1];
      if (next !== '*' && next !== '\\') return { error: `Invalid escape character at pos ${at(i)}` };
      pieces[pieces.length - 1] += next;
      i++;
    } else {
      pieces[pieces.length - 1] += ch;
    }
  }
  return { pieces: pieces.map(wellFormed) };
}

/** Whether the whole value matches: the first piece starts it, the last ends it, the rest appear in order. */
export function wildcardMatches(wildcard: Wildcard, value: string): boolean {
  const { pieces } = wildcard;
  const first = pieces[0]!;
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last))
    return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const found = value.indexOf(pieces[k]!, at);
    if (found < 0 || found + pieces[k]!.length > end) return false;
    at = found + pieces[k]!.length;
  }
  return true;
}
