/**
 * Cross-tenant reads, checked once every manifest is resolved: a consumer may read `<owner>/<topic>` only
 * when the owner's manifest shares that topic with the consumer's tenant (or with `*`). A missing grant is
 * reported twice — at the reader, naming the owner and the grant it lacks, and at the owner, naming the
 * consumer that still reads — so removing a share that is still in use is refused where it was removed.
 */
import { didYouMean, type ManifestError } from './errors.ts';
import type { ShareSpec, SourceRef, TenantSpec, TopicSpec } from './spec.ts';

function at(source: SourceRef, path: string, message: string): ManifestError {
  return { file: source.file, line: source.line, col: source.col, path, message };
}

/** The grant of `topic` that covers `reader`, if any. */
export function shareFor(topic: TopicSpec, reader: string): ShareSpec | undefined {
  return (
    topic.shareWith?.find((share) => share.tenant === reader) ??
    topic.shareWith?.find((s) => s.tenant === '*')
  );
}

export function checkShares(tenants: TenantSpec[], errors: ManifestError[]): void {
  const byName = new Map(tenants.map((tenant) => [tenant.name, tenant]));
  for (const tenant of tenants) {
    // Every share names a tenant that exists: a grant to a name nobody holds would go to whoever takes it.
    for (const topic of tenant.topics)
      for (const share of topic.shareWith ?? [])
        if (share.tenant !== '*' && !byName.has(share.tenant))
          errors.push(
            at(
              share.source,
              `topics.${topic.key}.shareWith`,
              `no manifest declares tenant "${share.tenant}"${didYouMean(share.tenant, byName.keys())}; a share names an existing tenant`,
            ),
          );

    const sharedTopics = new Map<string, TopicSpec>();
    for (const read of tenant.sharedReads ?? []) {
      const where = `consumers.${read.consumer}.topic`;
      const owner = byName.get(read.owner);
      if (!owner) {
        errors.push(
          at(
            read.source,
            where,
            `no manifest declares tenant "${read.owner}"${didYouMean(read.owner, byName.keys())}`,
          ),
        );
        continue;
      }
      const topic = owner.topics.find((t) => t.key === read.key);
      const reader = `consumer ${tenant.name}/${read.consumer} (${read.source.file}:${read.source.line})`;
      if (!topic) {
        errors.push(
          at(
            read.source,
            where,
            `tenant "${owner.name}" has no topic "${read.key}"${didYouMean(
              read.key,
              owner.topics.map((t) => t.key),
            )} (${owner.file})`,
          ),
        );
        errors.push(
          at(
            { file: owner.file, line: 1, col: 1 },
            'topics',
            `${reader} still reads ${owner.name}/${read.key}, which this manifest does not declare; keep the topic and its share until that consumer is gone`,
          ),
        );
        continue;
      }
      if (topic.isDlq) {
        errors.push(
          at(read.source, where, `the DLQ of "${owner.name}" is not shared; a DLQ is read by its owner only`),
        );
        continue;
      }
      if (!shareFor(topic, tenant.name)) {
        const grants = (topic.shareWith ?? []).map((s) => s.tenant);
        errors.push(
          at(
            read.source,
            where,
            `"${owner.name}" does not share topic "${topic.key}" with "${tenant.name}": ${owner.file}:${topic.source.line} needs topics.${topic.key}.shareWith: [${[...grants, tenant.name].join(', ')}]`,
          ),
        );
        errors.push(
          at(
            topic.shareWith && topic.shareWith.length > 0 ? topic.shareWith[0]!.source : topic.source,
            `topics.${topic.key}.shareWith`,
            `${reader} reads this topic, but shareWith does not grant "${tenant.name}"; keep the share until that consumer stops reading it`,
          ),
        );
        continue;
      }
      sharedTopics.set(topic.name, topic);
    }
    tenant.sharedTopics = [...sharedTopics.values()];
  }
}
