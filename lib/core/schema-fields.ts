/**
 * Walking a topic's JSON Schema for what governance and the catalog need: the fields marked `x-pii: true`
 * (personal data). One definition, read by the manifest's policies, the lineage events and the catalog.
 */

/** The schema keyword that marks a field as personal data. */
export const PII_KEYWORD = 'x-pii';

type Schema = Record<string, unknown>;

/**
 * Dotted paths of every field marked `x-pii: true` (`customer.email`, `items[].name`), through nested
 * objects, arrays and `allOf`/`anyOf`/`oneOf` branches. A schema marked at its root yields `(root)`.
 */
export function piiFields(schema: Schema | undefined): string[] {
  const found = new Set<string>();
  const walk = (node: unknown, at: string, depth: number) => {
    if (!node || typeof node !== 'object' || depth > 32) return;
    const s = node as Schema;
    if (s[PII_KEYWORD] === true) found.add(at || '(root)');
    const properties = s.properties;
    if (properties && typeof properties === 'object')
      for (const [name, child] of Object.entries(properties as Schema))
        walk(child, at ? `${at}.${name}` : name, depth + 1);
    if (s.items) walk(s.items, `${at}[]`, depth + 1);
    for (const branch of ['allOf', 'anyOf', 'oneOf'])
      if (Array.isArray(s[branch])) for (const child of s[branch] as unknown[]) walk(child, at, depth + 1);
  };
  walk(schema, '', 0);
  return [...found];
}
