/**
 * The project the portal shows: its manifests loaded by the validator (`loadStratus`, the code behind
 * `stratus validate`), again whenever a manifest, a schema or the platform config changed. The check is a
 * fingerprint of the files' sizes and modification times, cheap enough to take on every request; a page never
 * shows a manifest older than the one on disk, and the portal never holds a second copy of the rules.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type LoadResult, loadStratus } from '../manifest/index.ts';

export interface PortalProjectOptions {
  rootDir: string;
  /** Platform config file, relative to `rootDir` or absolute. @default 'stratus.config.yaml' */
  configFile?: string;
}

export class PortalProject {
  readonly rootDir: string;
  readonly configFile: string | undefined;
  #loaded: { fingerprint: string; result: LoadResult } | undefined;

  constructor(options: PortalProjectOptions) {
    this.rootDir = path.resolve(options.rootDir);
    this.configFile = options.configFile;
  }

  /** The spec and every validation problem, as `stratus validate` sees the project now. */
  load(): LoadResult {
    const fingerprint = this.#fingerprint();
    if (this.#loaded?.fingerprint !== fingerprint)
      this.#loaded = {
        fingerprint,
        result: loadStratus({ rootDir: this.rootDir, configFile: this.configFile }),
      };
    return this.#loaded.result;
  }

  #fingerprint(): string {
    const parts: string[] = [];
    const add = (file: string) => {
      try {
        const stat = statSync(file);
        if (stat.isDirectory()) {
          for (const name of readdirSync(file).sort()) add(path.join(file, name));
        } else parts.push(`${file}:${stat.size}:${stat.mtimeMs}`);
      } catch {
        parts.push(`${file}:absent`);
      }
    };
    add(path.resolve(this.rootDir, this.configFile ?? 'stratus.config.yaml'));
    const tenantsDir = this.#loaded?.result.spec.platform.tenantsDir ?? 'tenants';
    add(path.resolve(this.rootDir, tenantsDir));
    const schemaDirs = new Set([path.resolve(this.rootDir, 'schemas')]);
    for (const tenant of this.#loaded?.result.spec.tenants ?? [])
      for (const topic of tenant.topics)
        if (topic.schemaFile) schemaDirs.add(path.dirname(path.resolve(this.rootDir, topic.schemaFile)));
    for (const dir of schemaDirs) if (existsSync(dir)) add(dir);
    return parts.join('|');
  }
}
