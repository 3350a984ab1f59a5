/**
 * `npm run bench synth`: time to synthesize the CDK app for 10 and 100 generated tenants, as `cdk synth` does
 * it (manifests loaded and validated, esbuild bundles, cdk-nag, CloudFormation validation, templates written).
 * Each project is synthesized twice in this process: the cold pass includes module loading and the one
 * esbuild run the shared handler needs; the warm pass is the cost that grows with the tenant count. Prints
 * one JSON line; `ratio100to10` is warm t(100)/t(10), 10 when the cost per tenant is constant.
 * Goal: 100 tenants under 60 s, ratio at most 12.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { addStratusStacks } from '../lib/aws/app.ts';
import { loadStratusOrThrow } from '../lib/manifest/load.ts';
import { cdkJsonContext, generatedProject } from '../test/cdk/helpers.ts';

const cleanup: string[] = [];

function project(tenants: number): string {
  const names = Array.from({ length: tenants }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
  const root = generatedProject({ tenants: names });
  cleanup.push(root);
  return root;
}

function synthesize(root: string): number {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-synth-'));
  cleanup.push(outdir);
  const started = performance.now();
  const app = new App({ outdir, context: cdkJsonContext() });
  addStratusStacks(app, loadStratusOrThrow({ rootDir: root }));
  app.synth();
  return performance.now() - started;
}

try {
  const [root10, root100] = [project(10), project(100)];
  const cold10 = synthesize(root10);
  const cold100 = synthesize(root100);
  const warm10 = synthesize(root10);
  const warm100 = synthesize(root100);
  const ms = (value: number) => Math.round(value);
  console.log(
    JSON.stringify({
      bench: 'synth',
      tenants10Ms: ms(warm10),
      tenants100Ms: ms(warm100),
      ratio100to10: Number((warm100 / warm10).toFixed(2)),
      msPerTenant: ms((warm100 - warm10) / 90),
      cold: { tenants10Ms: ms(cold10), tenants100Ms: ms(cold100) },
      goal: { tenants100MaxMs: 60_000, maxRatio: 12 },
      met: Math.max(cold100, warm100) < 60_000 && warm100 / warm10 <= 12,
    }),
  );
} finally {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
}
