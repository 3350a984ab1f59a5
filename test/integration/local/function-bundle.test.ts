/**
 * Handlers are bundled before an execution environment loads them (lib/local/function-host/bundle.ts); a
 * project whose functions directory is a link (a monorepo, a scratch project) is bundled too, against the
 * node_modules beside the real sources, as Node resolves them. Before, such a project found no node_modules
 * above the link and every execution environment loaded the SDK through tsx: a loader thread and a resolve +
 * transpile round trip per module, seconds of CPU per environment at `stratus dev`'s start.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleModule } from '../../../lib/local/function-host/bundle.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const project = mkdtempSync(path.join(os.tmpdir(), 'stratus-linked-functions-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('handler bundles', () => {
  it('bundles a handler reached through a linked functions directory', { timeout: 60_000 }, async () => {
    symlinkSync(path.join(REPO, 'functions'), path.join(project, 'functions'));
    expect(existsSync(path.join(project, 'node_modules'))).toBe(false);
    const bundle = await bundleModule(path.join(project, 'functions/payments/enrich-orders.ts'));
    expect(bundle).toBeDefined();
    expect(path.dirname(bundle!)).toBe(path.join(REPO, 'node_modules/.cache/stratus/functions'));
    expect(existsSync(bundle!)).toBe(true);
  });

  it('has no bundle for a handler with no node_modules above it (tsx loads it)', async () => {
    const lone = mkdtempSync(path.join(os.tmpdir(), 'stratus-no-modules-'));
    try {
      writeFileSync(path.join(lone, 'handler.ts'), 'export const handler = async () => ({});\n');
      expect(await bundleModule(path.join(lone, 'handler.ts'))).toBeUndefined();
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
  });
});
