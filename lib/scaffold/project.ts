/**
 * The project `stratus new` edits: its root, platform config and tenant manifests, and the changes planned so
 * far (several steps of one command may edit the same manifest).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { loadStratus, type PlatformSpec } from '../manifest/index.ts';

export interface FileChange {
  /** Relative to the project root, `/`-separated. */
  file: string;
  /** The file's content now; undefined for a new file. */
  before?: string;
  after: string;
}

export class ScaffoldProject {
  readonly platform: PlatformSpec;
  /** Things the user should know about the plan (a file whose layout had to change). */
  readonly notes: string[] = [];
  private readonly changes = new Map<string, FileChange>();

  constructor(
    readonly rootDir: string,
    readonly configFile?: string,
  ) {
    this.platform = loadStratus({ rootDir, configFile }).spec.platform;
  }

  /** The file as planned so far: pending content, else what is on disk, else undefined. */
  read(file: string): string | undefined {
    const pending = this.changes.get(file);
    if (pending) return pending.after;
    const absolute = path.join(this.rootDir, file);
    return existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
  }

  exists(file: string): boolean {
    return this.read(file) !== undefined;
  }

  write(file: string, after: string): void {
    const pending = this.changes.get(file);
    const absolute = path.join(this.rootDir, file);
    const before = pending
      ? pending.before
      : existsSync(absolute)
        ? readFileSync(absolute, 'utf8')
        : undefined;
    this.changes.set(file, { file, before, after });
  }

  planned(): FileChange[] {
    return [...this.changes.values()];
  }

  /** The manifest (relative path) that declares `tenant`, by its `tenant:` field; undefined if none does. */
  manifestOf(tenant: string): string | undefined {
    const dir = path.resolve(this.rootDir, this.platform.tenantsDir);
    const planned = this.planned()
      .filter((change) => change.before === undefined && /\.ya?ml$/.test(change.file))
      .map((change) => change.file);
    const onDisk = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => /\.ya?ml$/.test(name))
          .map((name) => path.relative(this.rootDir, path.join(dir, name)).split(path.sep).join('/'))
      : [];
    return [...planned, ...onDisk].find((file) => {
      const doc = parseDocument(this.read(file) ?? '');
      return doc.errors.length === 0 && doc.get('tenant') === tenant;
    });
  }

  /** `tenants/<name>.yaml` under the configured tenants directory. */
  newManifestPath(tenant: string): string {
    return path.posix.join(this.platform.tenantsDir.split(path.sep).join('/'), `${tenant}.yaml`);
  }

  /** A JSON file of the project (a schema), parsed; undefined when absent or not JSON. */
  readJson(file: string | undefined): Record<string, unknown> | undefined {
    if (!file) return undefined;
    try {
      return JSON.parse(this.read(file) ?? '') as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
}
