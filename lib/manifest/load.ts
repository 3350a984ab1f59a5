import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { quote } from '../core/quote.ts';
import { didYouMean, type ManifestError, ManifestValidationError, sortManifestErrors } from './errors.ts';
import { resolvePlatform } from './platform-config.ts';
import type { StratusSpec, TenantSpec } from './spec.ts';
import { INVALID_TENANT_NAME, resolveTenant } from './tenant.ts';
import { YamlSource } from './yaml-source.ts';

export const DEFAULT_CONFIG_FILE = 'stratus.config.yaml';

export interface LoadOptions {
  /**
   * Project root: handler and schema paths in manifests are relative to it.
   * @default process.cwd()
   */
  rootDir?: string;
  /**
   * Platform config file, relative to `rootDir` or absolute. A missing default file means built-in defaults;
   * a missing file that was named explicitly is an error.
   * @default 'stratus.config.yaml'
   */
  configFile?: string;
  /**
   * Directory of tenant manifests (`*.yaml`, `*.yml`), relative to `rootDir` or absolute.
   * @default the config's `tenantsDir` ('tenants')
   */
  tenantsDir?: string;
  /** Keep only these tenants (all are still validated, so cross-tenant clashes are found). */
  only?: string[];
}

export interface LoadResult {
  spec: StratusSpec;
  /** Every problem in every file, sorted by file and position; empty when all is valid. */
  errors: ManifestError[];
}

/** Parse, validate and resolve the platform config and every tenant manifest, collecting every problem. */
export function loadStratus(options: LoadOptions = {}): LoadResult {
  const rootDir = path.resolve(options.rootDir ?? process.cwd());
  const errors: ManifestError[] = [];
  const relative = (file: string) => path.relative(rootDir, file) || file;

  const configPath = path.resolve(rootDir, options.configFile ?? DEFAULT_CONFIG_FILE);
  let configSource: YamlSource | undefined;
  if (existsSync(configPath)) {
    configSource = new YamlSource(relative(configPath), readFileSync(configPath, 'utf8'));
    errors.push(...configSource.errors);
  } else if (options.configFile !== undefined) {
    errors.push({
      file: relative(configPath),
      line: 1,
      col: 1,
      path: '',
      message: 'platform config file does not exist',
    });
  }
  const platform = resolvePlatform(configSource, rootDir, errors);

  const tenantsDir = path.resolve(rootDir, options.tenantsDir ?? platform.tenantsDir);
  const tenants: TenantSpec[] = [];
  const claimed = new Map<string, string>();
  for (const file of manifestFiles(tenantsDir, relative(tenantsDir), errors)) {
    const source = new YamlSource(relative(file), readFileSync(file, 'utf8'));
    errors.push(...source.errors);
    if (source.errors.length > 0) continue;
    const tenant = resolveTenant(source, platform, errors);
    if (!tenant) continue;
    // A file whose name is invalid has said so; it claims no name, so it clashes with nothing.
    if (tenant.name === INVALID_TENANT_NAME) continue;
    const owner = claimed.get(tenant.name);
    if (owner) {
      errors.push(
        source.error(
          ['tenant'],
          `tenant ${quote(tenant.name)} is already declared in ${owner}; one manifest per tenant`,
        ),
      );
      continue;
    }
    claimed.set(tenant.name, source.file);
    tenants.push(tenant);
  }

  let selected = tenants;
  if (options.only && options.only.length > 0) {
    for (const name of options.only) {
      if (!claimed.has(name)) {
        errors.push({
          file: relative(tenantsDir),
          line: 1,
          col: 1,
          path: '',
          message: `no manifest declares tenant ${quote(name)}${didYouMean(name, claimed.keys())}`,
        });
      }
    }
    selected = tenants.filter((tenant) => options.only!.includes(tenant.name));
  }
  return { spec: { platform, tenants: selected }, errors: sortManifestErrors(errors) };
}

/** `loadStratus` for callers that cannot go on with invalid manifests (the CDK app, the local runtime). */
export function loadStratusOrThrow(options: LoadOptions = {}): StratusSpec {
  const { spec, errors } = loadStratus(options);
  if (errors.length > 0) throw new ManifestValidationError(errors);
  return spec;
}

function manifestFiles(dir: string, label: string, errors: ManifestError[]): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    errors.push({ file: label, line: 1, col: 1, path: '', message: 'tenants directory does not exist' });
    return [];
  }
  const files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
  if (files.length === 0)
    errors.push({ file: label, line: 1, col: 1, path: '', message: 'no tenant manifests (*.yaml) found' });
  return files;
}
