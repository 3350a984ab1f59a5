import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';

describe("the README's example lineage graph", () => {
  it('is what `stratus lineage --format mermaid` prints for the example tenants', async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    const block = /<!-- generated:lineage -->\n```mermaid\n([\s\S]*?)```\n<!-- \/generated:lineage -->/.exec(
      readme,
    );
    expect(block, 'README.md has the generated:lineage block').not.toBeNull();
    const { code, stdout } = await runCli(['lineage', '--format', 'mermaid']);
    expect(code).toBe(0);
    expect(block![1]).toBe(stdout);
  });
});
