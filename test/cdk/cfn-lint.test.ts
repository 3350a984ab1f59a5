/**
 * cfn-lint (PyPI, in the project's virtualenv) on every template the app writes to its cloud assembly: the
 * example manifests on MSK Provisioned, and the same tenants on MSK Serverless (topic custom resources).
 * Zero errors; warnings are reported by cfn-lint but allowed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addStratusStacks } from '../../lib/aws/app.ts';
import { ensurePythonEnv, type PythonEnv } from '../../lib/local/python-env.ts';
import { loadStratusOrThrow } from '../../lib/manifest/load.ts';
import { appWithoutBundling, exampleSpec, generatedProject } from './helpers.ts';

interface LintFinding {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Filename: string;
  Message: string;
}

let python: PythonEnv;
let provisioned: string[];
let serverless: string[];
let findings: LintFinding[];

beforeAll(async () => {
  python = await ensurePythonEnv();
  provisioned = synthesize(exampleSpec());
  const root = generatedProject({
    tenants: ['orders'],
    shapes: ['shapes'],
    withExamples: true,
    config: 'cluster:\n  mode: serverless\n',
  });
  // app.synth() also runs cdk-nag: it throws on any finding Stratus has not accepted with a reason.
  serverless = synthesize(loadStratusOrThrow({ rootDir: root }));
  // One cfn-lint run for every template: its start-up dominates.
  findings = lint([...provisioned, ...serverless]);
}, 600_000);

function synthesize(spec: ReturnType<typeof exampleSpec>): string[] {
  const app = appWithoutBundling();
  addStratusStacks(app, spec);
  const dir = app.synth().directory;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => path.join(dir, file));
}

function lint(templates: string[]): LintFinding[] {
  const run = spawnSync(python.bin('cfn-lint'), ['--format', 'json', ...templates], { encoding: 'utf8' });
  // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 is a crash.
  if (run.status === 1 || run.error) throw new Error(`cfn-lint failed to run: ${run.error ?? run.stderr}`);
  return JSON.parse(run.stdout || '[]') as LintFinding[];
}

const errorsIn = (templates: string[], all: LintFinding[]) =>
  all
    .filter((f) => f.Level === 'Error' && templates.includes(f.Filename))
    .map((f) => `${path.basename(f.Filename)} ${f.Rule.Id}: ${f.Message}`);

describe('cfn-lint', () => {
  it('finds no error in the example app on MSK Provisioned', () => {
    expect(provisioned.map((t) => path.basename(t)).sort()).toEqual([
      'Stratus-Platform.template.json',
      'Stratus-Tenant-clickstream.template.json',
      'Stratus-Tenant-payments.template.json',
    ]);
    expect(errorsIn(provisioned, findings)).toEqual([]);
  });

  it('finds no error on MSK Serverless (topic custom resources) with generated tenants', () => {
    expect(serverless).toHaveLength(5);
    expect(errorsIn(serverless, findings)).toEqual([]);
  });

  it('reports errors when a template has one (the check can fail)', () => {
    const broken = provisioned.find((t) => t.endsWith('Stratus-Tenant-payments.template.json'))!;
    const json = JSON.parse(readFileSync(broken, 'utf8'));
    const resources = Object.values(
      json.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    );
    resources.find((r) => r.Type === 'AWS::MSK::Topic')!.Properties.PartitionCount = 'six';
    writeFileSync(broken, JSON.stringify(json));
    expect(errorsIn([broken], lint([broken])).join('\n')).toMatch(/E3012: 'six' is not of type 'integer'/);
  });
});
