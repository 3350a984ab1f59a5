import { isCollection, isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { escapeControl } from '../core/quote.ts';
import type { ManifestError } from './errors.ts';

export type FieldPath = ReadonlyArray<string | number>;

/**
 * A parsed YAML file that remembers where every value came from, so a problem found after parsing can
 * still be reported at its file, line and column.
 */
export class YamlSource {
  readonly errors: ManifestError[] = [];
  readonly value: unknown;
  private readonly lineCounter = new LineCounter();
  private readonly doc;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: true, prettyErrors: false });
    for (const problem of [...this.doc.errors, ...this.doc.warnings]) {
      const { line, col } = this.lineCounter.linePos(problem.pos[0]);
      this.errors.push({
        file,
        line,
        col,
        path: '',
        message: `YAML: ${escapeControl(firstLine(problem.message))}`,
      });
    }
    this.value = this.errors.length > 0 ? undefined : this.toJS();
  }

  /** Aliases are resolved only here; a bad one (unknown anchor, alias bomb) is a located error, not a throw. */
  private toJS(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      this.errors.push({
        file: this.file,
        line: 1,
        col: 1,
        path: '',
        message: `YAML: ${escapeControl(firstLine((error as Error).message))}`,
      });
      return undefined;
    }
  }

  /**
   * Line and column of the value at `path` (or of its key with `at: 'key'`). A path that does not exist
   * is located at its nearest existing ancestor, which is where a missing field belongs.
   */
  locate(path: FieldPath, at: 'value' | 'key' = 'value'): { line: number; col: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      const node = this.nodeAt(prefix, depth === path.length ? at : 'value');
      if (node?.range) return this.lineCounter.linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  }

  /** The text a scalar was written with (`9007199254740993`, `0x1F`), or undefined if `path` is not a scalar. */
  scalarSource(path: FieldPath): string | undefined {
    const node = this.doc.getIn(path, true);
    return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  }

  error(path: FieldPath, message: string, at: 'value' | 'key' = 'value'): ManifestError {
    return {
      file: this.file,
      ...this.locate(path, at),
      // Keys are user input too: a control character in one must not break the line it is printed on.
      path: path.map((part) => (part === '' ? '""' : escapeControl(String(part)))).join('.'),
      message: escapeControl(message),
    };
  }

  private nodeAt(path: FieldPath, at: 'value' | 'key'): Node | undefined {
    if (path.length === 0) return this.doc.contents ?? undefined;
    if (at === 'key') {
      const parent = this.doc.getIn(path.slice(0, -1), true);
      if (isMap(parent)) {
        const last = path[path.length - 1];
        const pair = parent.items.find(
          (item) => isPair(item) && isScalar(item.key) && item.key.value === last,
        );
        if (pair && isScalar(pair.key)) return pair.key;
      }
      return undefined;
    }
    const node = this.doc.getIn(path, true);
    // A block mapping or list starts on the line after its key; the key is where a reader looks.
    if (isCollection(node) && !node.flow && path.length > 0) return this.nodeAt(path, 'key') ?? node;
    return node && typeof node === 'object' && 'range' in node ? (node as Node) : undefined;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
