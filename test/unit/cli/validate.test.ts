import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { loadProject, VALID_TENANT } from '../manifest/fixture.ts';

describe('stratus validate', () => {
  it('passes on the example tenants with exit code 0', async () => {
    const { code, stdout } = await runCli(['validate']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/tenant payments/);
    expect(stdout).toMatch(/tenant clickstream/);
    expect(stdout).toMatch(/2 tenant manifests valid/);
  });

  it('lists every problem as file:line:col  path  message and exits 1', async () => {
    const broken = VALID_TENANT.replace('topic: orders', 'topic: order').replace(
      'format: iceberg',
      'format: csv',
    );
    const { rootDir } = loadProject({ tenants: { 'shop.yaml': broken } });
    const { code, stderr } = await runCli(['validate'], rootDir);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'tenants/shop.yaml:12:12  consumers.enrich.topic  unknown topic "order"; did you mean "orders"?',
    );
    expect(stderr).toMatch(
      /tenants\/shop.yaml:18:13 {2}sinks.lake.format {2}must be one of iceberg, parquet, json/,
    );
    expect(stderr).toMatch(/2 problems found/);
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('prints a JSON array of {file,line,col,path,message} with --json', async () => {
    const { rootDir } = loadProject({
      tenants: { 'shop.yaml': VALID_TENANT.replace('tenant: shop', 'tenant: X') },
    });
    const { code, stdout } = await runCli(['validate', '--json'], rootDir);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({
        file: 'tenants/shop.yaml',
        line: 1,
        col: 9,
        path: 'tenant',
        message: expect.stringMatching(/lower-case/),
      }),
    ]);
  });

  it('prints an empty JSON array for valid manifests', async () => {
    const { code, stdout } = await runCli(['validate', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('reads another tenants directory and config with --dir and --config', async () => {
    const { rootDir } = loadProject({ config: 'governance: { maxPartitionsPerTopic: 2 }\n' });
    const strict = await runCli(['validate', '--config', 'stratus.config.yaml'], rootDir);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/governance.maxPartitionsPerTopic/);
    const missing = await runCli(['validate', '--dir', 'nowhere'], rootDir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nowhere:1:1 {2}tenants directory does not exist/);
  });

  it('names unknown tenants in --tenants', async () => {
    const { code, stderr } = await runCli(['validate', '--tenants', 'paymnets']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no manifest declares tenant "paymnets"; did you mean "payments"\?/);
  });

  it('exits 2 on usage errors, without a stack trace', async () => {
    const unknownFlag = await runCli(['validate', '--frobnicate']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/unknown option '--frobnicate'/);
    const badTenant = await runCli(['validate', '--tenants', 'Not Valid']);
    expect(badTenant.code).toBe(2);
    expect(badTenant.stderr).toMatch(/"Not Valid" is not a valid tenant name/);
    const unknownCommand = await runCli(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
  });

  it('answers --help with exit 0', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/validate/);
    const sub = await runCli(['validate', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--json/);
  });
});
