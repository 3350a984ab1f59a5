/**
 * The Onboard page's plan without a browser: problems land next to the right field, the validator's findings
 * come from `stratus validate`'s code, the downloadable patch is one `git apply` takes and whose result
 * validates, and nothing is written through a symbolic link that leaves the project.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatManifestError, loadStratus } from '../../../lib/manifest/index.ts';
import { applyOnboarding, insideProject, patchOf, planOnboarding } from '../../../lib/portal/onboard.ts';
import { type PortalProject, portalProject } from '../../integration/portal/project.ts';

describe('onboarding plan', () => {
  let project: PortalProject;
  beforeAll(async () => {
    project = await portalProject();
  });
  afterAll(() => project.remove());

  it('puts each problem next to its field', () => {
    const plan = (form: Record<string, unknown>) =>
      planOnboarding(project.rootDir, undefined, { tenant: project.fleet, ...form } as never);
    expect(plan({ kind: 'topic', name: 'Bad_Topic' }).problems).toEqual([
      { field: 'name', message: expect.stringMatching(/^topic name "Bad_Topic" must be/) },
    ]);
    expect(plan({ kind: 'topic', name: 'positions' }).problems).toEqual([
      { field: 'name', message: expect.stringMatching(/already has a topic "positions"/) },
    ]);
    expect(plan({ kind: 'sink', name: 'lake', topic: 'postions' }).problems).toEqual([
      { field: 'topic', message: expect.stringMatching(/has no topic "postions"; did you mean "positions"/) },
    ]);
    // Found by the manifest validator on the planned result, located in the file.
    const retention = plan({ kind: 'topic', name: 'refunds', retention: '90d' });
    expect(retention.ok).toBe(false);
    expect(retention.problems).toEqual([
      expect.objectContaining({
        field: 'retention',
        where: expect.stringMatching(new RegExp(`^tenants/${project.fleet}\\.yaml:\\d+:\\d+$`)),
      }),
    ]);
    const owner = planOnboarding(project.rootDir, undefined, {
      kind: 'tenant',
      tenant: 'acme',
      owner: 'not-an-address',
      costCenter: 'cc-1',
    });
    expect(owner.problems).toEqual([
      expect.objectContaining({ field: 'owner', message: expect.stringMatching(/e-mail/) }),
    ]);
  });

  it('offers a patch that git apply takes, and the result validates', () => {
    const plan = planOnboarding(project.rootDir, undefined, {
      kind: 'consumer',
      tenant: project.fleet,
      name: 'speed-stats',
      topic: 'positions',
      output: 'speed-stats',
    });
    expect(plan.ok).toBe(true);
    expect(plan.changes.map((c) => c.file).sort()).toEqual(
      [
        `tenants/${project.fleet}.yaml`,
        `schemas/${project.fleet}/speed-stats.schema.json`,
        `functions/${project.fleet}/speed-stats.ts`,
        `test/unit/tenants/${project.fleet}/speed-stats.test.ts`,
      ].sort(),
    );
    const clone = mkdtempSync(path.join(os.tmpdir(), 'stratus-patch-'));
    try {
      cpSync(project.rootDir, clone, { recursive: true, verbatimSymlinks: true });
      const git = (...args: string[]) => execFileSync('git', args, { cwd: clone, stdio: 'pipe' }).toString();
      git('init', '-q');
      writeFileSync(path.join(clone, 'change.patch'), patchOf(plan));
      git('apply', '--check', 'change.patch');
      git('apply', 'change.patch');
      const { errors } = loadStratus({ rootDir: clone });
      expect(errors.map(formatManifestError)).toEqual([]);
      expect(existsSync(path.join(clone, `functions/${project.fleet}/speed-stats.ts`))).toBe(true);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('writes through stratus new, and never through a link out of the project', () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'stratus-outside-'));
    try {
      expect(insideProject(project.rootDir, 'functions/fleet/x.ts')).toBe(true);
      expect(insideProject(project.rootDir, '../x.ts')).toBe(false);
      // A team's handler directory that is a link elsewhere: the handler would land outside.
      const tenant = 'linked';
      mkdirSync(path.join(project.rootDir, 'functions'), { recursive: true });
      symlinkSync(outside, path.join(project.rootDir, `functions/${tenant}`));
      expect(insideProject(project.rootDir, `functions/${tenant}/handler.ts`)).toBe(false);
      const plan = planOnboarding(project.rootDir, undefined, {
        kind: 'tenant',
        tenant,
        owner: 'linked@example.com',
        costCenter: 'cc-1',
      });
      expect(plan.ok).toBe(false);
      expect(plan.problems[0]?.message).toMatch(/is outside the project; nothing is written/);
      expect(() =>
        applyOnboarding(project.rootDir, undefined, {
          kind: 'tenant',
          tenant,
          owner: 'l@example.com',
          costCenter: 'cc-1',
        }),
      ).toThrow(/nothing was written/);
      expect(existsSync(path.join(project.rootDir, `tenants/${tenant}.yaml`))).toBe(false);

      const written = applyOnboarding(project.rootDir, undefined, {
        kind: 'topic',
        tenant: project.fleet,
        name: 'refunds',
      });
      expect(written.written.map((w) => w.file)).toEqual([
        `schemas/${project.fleet}/refunds.schema.json`,
        `tenants/${project.fleet}.yaml`,
      ]);
      expect(
        loadStratus({ rootDir: project.rootDir })
          .spec.tenants.find((t) => t.name === project.fleet)
          ?.topics.map((t) => t.key),
      ).toContain('refunds');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
