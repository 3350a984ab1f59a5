/**
 * `stratus schema check`: every topic's schema against its previous version — the file at a git revision, or
 * the versions in a schema registry — under the topic's compatibility mode, each incompatible change located
 * in the new schema file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registrySchemaName, schemaRegistryName } from '../core/naming.ts';
import type { TenantSpec, TopicSpec } from '../manifest/spec.ts';
import { type CompatibilityMode, type CompatibilityViolation, checkCompatibility } from './compatibility.ts';
import { locateInJson } from './json-locate.ts';
import { registeredVersions } from './registration.ts';
import type { SchemaRegistryApi } from './registry.ts';
import { sameJson } from './schema-diff.ts';
import type { SchemaDocument } from './schema-document.ts';
import { schemaAtRevision, schemaFromFile, schemaFromText } from './schema-files.ts';

export interface LocatedViolation extends CompatibilityViolation {
  file: string;
  line: number;
  col: number;
}

export interface TopicCheck {
  tenant: string;
  topic: string;
  file: string;
  compatibility: CompatibilityMode;
  /** `new`: no previous version to compare with. */
  status: 'compatible' | 'incompatible' | 'unchanged' | 'new';
  /** What it was compared with: `merge base …`, `registry stratus-payments v3`. */
  against: string;
  violations: LocatedViolation[];
}

/** Where previous versions come from. */
export type HistorySource =
  | { kind: 'git'; revision: string; label: string }
  | { kind: 'registry'; registry: SchemaRegistryApi; label: string };

export async function checkTenantSchemas(
  rootDir: string,
  tenants: readonly TenantSpec[],
  source: HistorySource,
): Promise<TopicCheck[]> {
  const checks: TopicCheck[] = [];
  for (const tenant of tenants) {
    for (const topic of tenant.topics) {
      if (topic.isDlq || !topic.schemaFile) continue;
      checks.push(await checkTopic(rootDir, tenant, topic, source));
    }
  }
  return checks;
}

async function checkTopic(
  rootDir: string,
  tenant: TenantSpec,
  topic: TopicSpec,
  source: HistorySource,
): Promise<TopicCheck> {
  const file = topic.schemaFile!;
  const candidate = schemaFromFile(rootDir, file)!;
  const base = {
    tenant: tenant.name,
    topic: topic.name,
    file,
    compatibility: topic.compatibility,
    violations: [],
  };
  let history: SchemaDocument[];
  let against: string;
  if (source.kind === 'git') {
    const previous = schemaAtRevision(rootDir, source.revision, file);
    history = previous ? [previous] : [];
    against = `${file} at ${source.label}`;
  } else {
    const registryName = schemaRegistryName(tenant.name);
    const versions = await registeredVersions(source.registry, {
      registryName,
      schemaName: registrySchemaName(topic.key),
    });
    history = versions.flatMap(
      (v) =>
        schemaFromText(v.definition, `${registryName}/${topic.key} v${v.versionNumber}`, rootDir, file) ?? [],
    );
    against =
      versions.length === 0
        ? `${source.label}: not registered`
        : `${source.label} ${registryName}/${topic.key} v${versions.at(-1)!.versionNumber}`;
  }
  if (history.length === 0) return { ...base, status: 'new', against };
  if (sameJson(history.at(-1)!.schema, candidate.schema)) {
    // Transitive modes still compare with older versions when the latest is unchanged.
    if (!topic.compatibility.endsWith('_TRANSITIVE') || history.length === 1)
      return { ...base, status: 'unchanged', against };
  }
  const text = readFileSync(path.resolve(rootDir, file), 'utf8');
  const violations = checkCompatibility(topic.compatibility, history, candidate).map((v) => ({
    ...v,
    file,
    ...locateInJson(text, v.newSchemaPath),
  }));
  return { ...base, status: violations.length === 0 ? 'compatible' : 'incompatible', against, violations };
}
