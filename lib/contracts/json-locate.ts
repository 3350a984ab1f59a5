/**
 * Line and column of a JSON pointer in a JSON file's text (JSON is YAML 1.2, so the YAML parser gives source
 * positions). A location that no longer exists (a removed property) is given at its nearest existing ancestor.
 */
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';

export function locateInJson(text: string, path: readonly string[]): { line: number; col: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  for (let depth = path.length; depth >= 0; depth--) {
    const node = keyNode(doc, path.slice(0, depth));
    if (node?.range) return lineCounter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** The key of the last path element (where a reader looks), or the root. */
function keyNode(doc: ReturnType<typeof parseDocument>, path: readonly string[]): Node | undefined {
  if (path.length === 0) return doc.contents ?? undefined;
  const keys = path.map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  const parent = doc.getIn(keys.slice(0, -1), true);
  const last = keys.at(-1);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === last);
    return pair && isScalar(pair.key) ? pair.key : undefined;
  }
  const node = doc.getIn(keys, true);
  return node && typeof node === 'object' && 'range' in node ? (node as Node) : undefined;
}
