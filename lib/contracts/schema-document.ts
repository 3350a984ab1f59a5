/**
 * A JSON Schema document with `$ref` resolution: local JSON pointers (`#/$defs/money`), the document's own
 * `$id`, and references to sibling files (`money.schema.json#/...`) through a loader, so a schema split over
 * files is compared as the reader sees it.
 */

export type SchemaNode = Record<string, unknown> | boolean;

export interface SchemaDocument {
  /** The parsed schema. */
  schema: unknown;
  /** Where it came from (a path relative to the project root, or `registry:…`), for messages. */
  file: string;
  /** Loads another document by a reference relative to this one (a sibling file); undefined when unknown. */
  load?: (reference: string) => SchemaDocument | undefined;
}

/** A node of a document and where it is, as a JSON pointer split into keys. */
export interface Located {
  node: unknown;
  doc: SchemaDocument;
  path: readonly string[];
}

/** Follows `$ref`s until a node without one; `undefined` when a reference cannot be resolved. */
export function resolveRefs(start: Located): Located | undefined {
  let current = start;
  for (let hops = 0; hops < 32; hops++) {
    const node = current.node;
    if (!isObject(node) || typeof node.$ref !== 'string') return current;
    const next = resolveRef(current.doc, node.$ref);
    if (!next) return undefined;
    current = next;
  }
  return undefined;
}

function resolveRef(doc: SchemaDocument, ref: string): Located | undefined {
  const hash = ref.indexOf('#');
  const base = hash === -1 ? ref : ref.slice(0, hash);
  const fragment = hash === -1 ? '' : ref.slice(hash + 1);
  let target = doc;
  if (base !== '' && !sameDocument(doc, base)) {
    const loaded = doc.load?.(base);
    if (!loaded) return undefined;
    target = loaded;
  }
  if (fragment === '' || fragment === '/') return { node: target.schema, doc: target, path: [] };
  if (!fragment.startsWith('/')) return findAnchor(target, fragment);
  const keys = fragment
    .slice(1)
    .split('/')
    .map((key) => decodeURIComponent(key).replaceAll('~1', '/').replaceAll('~0', '~'));
  let node: unknown = target.schema;
  for (const key of keys) {
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return { node, doc: target, path: keys };
}

/** `$ref: "https://…/order.schema.json"` naming the document itself (by its `$id`). */
function sameDocument(doc: SchemaDocument, base: string): boolean {
  const id = isObject(doc.schema) ? doc.schema.$id : undefined;
  return typeof id === 'string' && id.split('#')[0] === base;
}

/** `$ref: "#money"` with `$anchor: "money"` somewhere in the document. */
function findAnchor(doc: SchemaDocument, anchor: string): Located | undefined {
  const visit = (node: unknown, path: string[]): Located | undefined => {
    if (!isObject(node)) return undefined;
    if (node.$anchor === anchor) return { node, doc, path };
    for (const [key, child] of Object.entries(node)) {
      if (typeof child === 'object' && child !== null) {
        const found = Array.isArray(child)
          ? child.map((item, i) => visit(item, [...path, key, String(i)])).find(Boolean)
          : visit(child, [...path, key]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return visit(doc.schema, []);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A child of a located node. */
export function child(parent: Located, ...keys: string[]): Located {
  let node: unknown = parent.node;
  for (const key of keys)
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
  return { node, doc: parent.doc, path: [...parent.path, ...keys] };
}

/** `#/properties/amount` */
export function pointer(path: readonly string[]): string {
  return `#${path.map((key) => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`;
}
