/**
 * User-supplied text inside a message (a manifest value, a key, a file name): double-quoted with control and
 * invisible characters escaped, so a value can never break a message's line, move the terminal's cursor, hide
 * behind a bidirectional override or look like a different value than it is.
 */

/** Characters JSON.stringify leaves alone but a terminal or a reader would not show for what they are. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;
/** The C0 controls too, for text that was not quoted. */
const CONTROL_OR_INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const unicodeEscape = (char: string) =>
  SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `"value"`, escaped like a JSON string, plus the invisible characters JSON leaves as they are. */
export function quote(value: string): string {
  return JSON.stringify(value).replace(INVISIBLE, unicodeEscape);
}

/** The text with every control or invisible character written as an escape (`\n`, `\u001b`); nothing else changes. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL_OR_INVISIBLE, unicodeEscape);
}
