import { escapeControl, quote } from '../core/quote.ts';

/** A problem in a manifest or the platform config, located to the file, line and field. */
export interface ManifestError {
  /** Path relative to the project root. */
  file: string;
  line: number;
  col: number;
  /** Dotted field path (`consumers.enrich-orders.topic`); empty for the whole file. */
  path: string;
  message: string;
}

/**
 * `tenants/payments.yaml:14:5  consumers.enrich-orders.topic  unknown topic "order"`. Control characters are
 * escaped here too, whoever built the error: one error is one line.
 */
export function formatManifestError(error: ManifestError): string {
  const where = `${escapeControl(error.file)}:${error.line}:${error.col}`;
  const message = escapeControl(error.message);
  return error.path ? `${where}  ${escapeControl(error.path)}  ${message}` : `${where}  ${message}`;
}

/** Stable order for reports: by file, then position. */
export function sortManifestErrors(errors: ManifestError[]): ManifestError[] {
  return [...errors].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.path.localeCompare(b.path),
  );
}

/** Thrown by `loadStratusOrThrow` so callers that cannot continue get every problem in one message. */
export class ManifestValidationError extends Error {
  constructor(readonly errors: ManifestError[]) {
    super(`${errors.length} problem(s) in the manifests:\n${errors.map(formatManifestError).join('\n')}`);
    this.name = 'ManifestValidationError';
  }
}

/** "did you mean" for a misspelt name: the closest candidate within a small edit distance. */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(input.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closestMatch(input, candidates);
  return match === undefined ? '' : `; did you mean ${quote(match)}?`;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}
