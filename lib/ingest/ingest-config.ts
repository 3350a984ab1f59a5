/**
 * What the HTTP ingest endpoint of one tenant needs to run, as plain JSON: its topics with their contracts
 * (schema and quality rules) and key fields, and the body limit. Built from the resolved manifest, once for
 * `stratus dev` and once for the tenant stack, which writes it into the ingest Lambda's bundle — so both
 * validate with the same contract.
 */
import type { QualityRule } from '../core/quality-rule-set.ts';
import type { TenantSpec } from '../manifest/spec.ts';

export interface IngestTopicConfig {
  /** Topic key (the route's last segment). */
  key: string;
  /** Full name on the cluster. */
  name: string;
  /** Dotted path of the value field that becomes the record key. */
  keyField?: string;
  schema?: Record<string, unknown>;
  quality: QualityRule[];
}

export interface IngestConfig {
  tenant: string;
  maxBodyBytes: number;
  topics: IngestTopicConfig[];
}

/** The tenant's ingest configuration, or undefined when its manifest declares no `ingest:`. */
export function ingestConfig(tenant: TenantSpec): IngestConfig | undefined {
  if (!tenant.ingest) return undefined;
  const topics = new Map(tenant.topics.map((topic) => [topic.key, topic]));
  return {
    tenant: tenant.name,
    maxBodyBytes: tenant.ingest.maxBodyBytes,
    topics: tenant.ingest.topics.map((t) => {
      const topic = topics.get(t.key);
      return {
        key: t.key,
        name: t.name,
        keyField: t.keyField,
        schema: topic?.schema,
        quality: (topic?.quality ?? []).map(({ name, expression, severity }) => ({
          name,
          expression,
          severity,
        })),
      };
    }),
  };
}
