/**
 * Checks an AsyncAPI document with the official parser (@asyncapi/parser: the specification's JSON Schema plus
 * its Spectral ruleset). Loaded on first use: it is large, and only `stratus catalog` needs it.
 */
export interface AsyncApiProblem {
  severity: 'error' | 'warning' | 'info' | 'hint';
  code: string;
  message: string;
  path: string;
}

const SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;

export async function checkAsyncApi(document: Record<string, unknown>): Promise<AsyncApiProblem[]> {
  const { Parser } = await import('@asyncapi/parser');
  const { diagnostics } = await new Parser().parse(JSON.stringify(document));
  return diagnostics.map((d) => ({
    severity: SEVERITIES[d.severity] ?? 'error',
    code: String(d.code),
    message: d.message,
    path: d.path.join('.'),
  }));
}
