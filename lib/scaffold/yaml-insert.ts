/**
 * Adds an entry to a section of a tenant manifest by splicing text into the file: every byte that was there
 * stays (comments, blank lines, flow or block style, quoting), and only the new entry is written. The `yaml`
 * Document API finds where the section and its last entry end; re-serialising the document would move
 * comments and respace flow lists. The result is parsed again and checked to mean exactly the old document
 * plus the entry; when a section is written in a form the splice does not handle (flow style, empty), the
 * Document API edits the file instead and `reformatted` says so.
 */
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, type Pair, parseDocument, type YAMLMap } from 'yaml';

/** Top-level sections in the order the manifest reference lists them; a new section goes after its predecessor. */
const SECTION_ORDER = [
  'tenant',
  'description',
  'owners',
  'costCenter',
  'topics',
  'dlq',
  'consumers',
  'sinks',
  'alerts',
];

const STRINGIFY = { indent: 2, lineWidth: 0, flowCollectionPadding: false } as const;

export interface InsertResult {
  text: string;
  /** True when the file had to be re-serialised by the Document API (layout may have changed). */
  reformatted: boolean;
}

/** `key:` with `value` below it as block YAML, each line indented by `indent` spaces, no trailing newline. */
export function renderEntry(key: string, value: unknown, indent: number): string {
  const text = new Document({ [key]: value }).toString(STRINGIFY).trimEnd();
  return text
    .split('\n')
    .map((line) => ' '.repeat(indent) + line)
    .join('\n');
}

export function insertEntry(text: string, section: string, key: string, value: unknown): InsertResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`the manifest is not valid YAML: ${doc.errors[0]!.message}`);
  const expected = (doc.toJS() ?? {}) as Record<string, Record<string, unknown> | undefined>;
  expected[section] = { ...(expected[section] ?? {}), [key]: value };

  const spliced = splice(text, doc, section, key, value);
  if (spliced !== undefined && isDeepStrictEqual(parseDocument(spliced).toJS(), expected))
    return { text: spliced, reformatted: false };

  doc.setIn([section, key], doc.createNode(value));
  return { text: doc.toString(STRINGIFY), reformatted: true };
}

function splice(
  text: string,
  doc: Document,
  section: string,
  key: string,
  value: unknown,
): string | undefined {
  const root = doc.contents;
  if (!isMap(root) || root.flow) return undefined;
  const pairs = root.items as Pair[];
  const existing = pairs.find((pair) => isScalar(pair.key) && pair.key.value === section);
  if (existing) {
    const map = existing.value;
    if (!isMap(map) || map.flow || map.items.length === 0) return undefined;
    const first = map.items[0]!.key;
    if (!isScalar(first) || !first.range) return undefined;
    const indent = first.range[0] - lineStart(text, first.range[0]);
    const at = endOfLine(text, endOf(map));
    return `${text.slice(0, at)}\n${renderEntry(key, value, indent)}${text.slice(at)}`;
  }
  // A new section: after the last section that comes before it in the reference order, else at the end.
  const rank = SECTION_ORDER.indexOf(section);
  const before = pairs.filter((pair) => {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const r = SECTION_ORDER.indexOf(name);
    return r >= 0 && r < rank;
  });
  const after = before.at(-1) ?? pairs.at(-1);
  const end = after ? endOfLine(text, endOfPair(after)) : text.trimEnd().length;
  const block = `${section}:\n${renderEntry(key, value, 2)}`;
  return `${text.slice(0, end)}\n\n${block}${text.slice(end)}`;
}

function endOf(map: YAMLMap): number {
  const last = map.items.at(-1) as Pair;
  return endOfPair(last);
}

function endOfPair(pair: Pair): number {
  const node = (pair.value ?? pair.key) as { range?: [number, number, number] } | null;
  return node?.range?.[1] ?? 0;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The end of the line `offset` is on (before its newline), so a trailing comment stays with its line. */
function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf('\n', Math.max(0, offset - 1));
  return newline === -1 ? text.length : newline;
}
