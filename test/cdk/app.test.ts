/**
 * bin/stratus.ts as `cdk synth` runs it (a child process given CDK_OUTDIR and CDK_CONTEXT_JSON, as the CDK
 * CLI does): stack selection with `-c tenants=…`, and manifest problems shown as file:line, not a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedProject, REPO_ROOT } from './helpers.ts';

function runApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'stratus-app-'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bin/stratus.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      // The built-in template validation (`cdk synth --no-validation`) is covered by cfn-lint.test.ts.
      CDK_VALIDATION: 'false',
      // Bundling is proven by the example-stack tests; here only stack selection and errors matter.
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], nag: 'false', ...context }),
    },
  });
  return { ...run, outdir };
}

const artifacts = (outdir: string) =>
  Object.entries(
    JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')).artifacts as Record<
      string,
      { type: string }
    >,
  )
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([id]) => id)
    .sort();

describe('bin/stratus.ts', () => {
  it('synthesizes the platform and only the tenants named in -c tenants=…', () => {
    const run = runApp({ tenants: 'payments' });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(artifacts(run.outdir)).toEqual(['Stratus-Platform', 'Stratus-Tenant-payments']);
  });

  it('prints every manifest problem with file and line, without a stack trace', () => {
    const root = generatedProject({ tenants: ['orders'] });
    writeFileSync(
      path.join(root, 'tenants/broken.yaml'),
      'tenant: broken\nowners: [a@example.com]\ncostCenter: cc-1\ntopics:\n  events: { partitions: 0 }\nconsumers:\n  c: { topic: evnts, handler: functions/payments/enrich-orders.ts }\n',
    );
    const run = runApp({ 'stratus:root': root });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/tenants\/broken\.yaml:5:\d+ +topics\.events\.partitions/);
    expect(run.stderr).toMatch(
      /tenants\/broken\.yaml:7:\d+ +consumers\.c\.topic +unknown topic "evnts"; did you mean "events"\?/,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses an unknown tenant in -c tenants=…', () => {
    const run = runApp({ tenants: 'paymnts' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no manifest declares tenant "paymnts"; did you mean "payments"\?/);
  });

  it('refuses tenants whose derived function names clash', () => {
    const root = generatedProject({ tenants: ['pay-ments'] });
    writeFileSync(
      path.join(root, 'tenants/pay.yaml'),
      'tenant: pay\nowners: [a@example.com]\ncostCenter: cc-1\ntopics:\n  events: {}\nconsumers:\n  ments-enrich: { topic: events, handler: functions/payments/enrich-orders.ts }\n',
    );
    const run = runApp({ 'stratus:root': root });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /tenants\/pay\.yaml consumers\.ments-enrich: AWS name "stratus-pay-ments-enrich" is also derived from tenants\/pay-ments\.yaml consumers\.enrich/,
    );
  });

  it('prints a construct validation error by its message, naming the prop', () => {
    const root = generatedProject({ tenants: [] });
    writeFileSync(
      path.join(root, 'tenants/audit.yaml'),
      'tenant: audit\nowners: [a@example.com]\ncostCenter: cc-1\ntopics:\n  events: {}\nsinks:\n  raw: { topic: events, format: json, prefix: clickstream/stolen/ }\n',
    );
    const run = runApp({ 'stratus:root': root });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/sink.prefix "clickstream\/stolen\/" must start with "audit\/"/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
