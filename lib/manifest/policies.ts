/**
 * Platform policies (`governance.policies` in stratus.config.yaml), checked by `stratus validate` on every
 * tenant manifest. Each violation is a located manifest error that ends with the policy's name, so a team
 * knows both where to fix it and which rule of the platform it broke.
 */
import { piiFields } from '../core/schema-fields.ts';
import { describe } from '../core/units.ts';
import type { FieldReader, Mapping } from './fields.ts';
import type { ConsumerSpec, PoliciesSpec, TopicSpec } from './spec.ts';
import type { FieldPath } from './yaml-source.ts';

const DAY = 86_400_000;

/** The policy names as they appear in messages: the config path of the rule. */
export const POLICY = {
  requiredTags: 'governance.policies.requiredTags',
  topicNamePattern: 'governance.policies.topicNamePattern',
  piiMaxRetention: 'governance.policies.pii.maxRetention',
  piiShare: 'governance.policies.pii.share',
} as const;

/** AWS tag keys and values: letters, digits, spaces and `_ . : / = + - @` (keys ≤ 128, values ≤ 256). */
export const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Reads `governance.policies` of the platform config. */
export function resolvePolicies(read: FieldReader, value: unknown): PoliciesSpec {
  const path = ['governance', 'policies'];
  const policies = read.mapping(path, value, { optional: true }) ?? {};
  read.onlyKeys(path, policies, ['requiredTags', 'topicNamePattern', 'pii']);
  const pii = read.mapping([...path, 'pii'], policies.pii, { optional: true }) ?? {};
  read.onlyKeys([...path, 'pii'], pii, ['maxRetention']);
  return {
    requiredTags: requiredTags(read, [...path, 'requiredTags'], policies.requiredTags),
    topicNamePattern: pattern(read, [...path, 'topicNamePattern'], policies.topicNamePattern),
    piiMaxRetentionMs:
      pii.maxRetention === undefined
        ? undefined
        : read.duration([...path, 'pii', 'maxRetention'], pii.maxRetention, {
            min: 60_000,
            max: 3650 * DAY,
            fallback: 7 * DAY,
            label: '1m and 3650d',
          }),
  };
}

/** `[team, env]`, or `{ env: [dev, prod], team: ~ }` to also restrict the values. */
function requiredTags(read: FieldReader, path: FieldPath, value: unknown): PoliciesSpec['requiredTags'] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value))
    return read
      .stringList(path, value, { pattern: TAG_KEY_PATTERN, hint: 'is not a valid tag key' })
      .map((key) => ({ key }));
  const mapping = read.mapping(path, value);
  if (!mapping) return [];
  return Object.entries(mapping).map(([key, allowed]) => {
    if (!TAG_KEY_PATTERN.test(key)) read.fail([...path, key], `"${key}" is not a valid tag key`, 'key');
    if (allowed === null || allowed === undefined) return { key };
    return { key, allowed: read.stringList([...path, key], allowed) };
  });
}

function pattern(read: FieldReader, path: FieldPath, value: unknown): PoliciesSpec['topicNamePattern'] {
  const text = read.string(path, value, { optional: true });
  if (text === undefined) return undefined;
  try {
    // Anchored whole: a rule "^[a-z]+" should not let "orders_V2!" through on its prefix.
    return { source: text, regex: new RegExp(`^(?:${text})$`, 'u') };
  } catch (error) {
    return read.fail(path, `is not a regular expression: ${(error as Error).message}`);
  }
}

/** `tags:` of a tenant manifest: AWS-valid keys and values; the `stratus:` and `aws:` prefixes are reserved. */
export function resolveTags(read: FieldReader, root: Mapping): Record<string, string> {
  const tags = read.mapping(['tags'], root.tags, { optional: true }) ?? {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (!TAG_KEY_PATTERN.test(key)) {
      read.fail(
        ['tags', key],
        `"${key}" is not a valid AWS tag key (letters, digits, spaces and _ . : / = + - @)`,
        'key',
      );
      continue;
    }
    if (/^(aws|stratus):/i.test(key)) {
      read.fail(['tags', key], `"${key}": the "aws:" and "stratus:" prefixes are reserved`, 'key');
      continue;
    }
    const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    if (typeof text !== 'string' || !TAG_VALUE_PATTERN.test(text)) {
      read.fail(
        ['tags', key],
        `must be a tag value (up to 256 letters, digits, spaces and _ . : / = + - @), got ${describe(value)}`,
      );
      continue;
    }
    out[key] = text;
  }
  return out;
}

/** The tenant-level policies: required tags, the topic naming rule, retention of topics with personal data. */
export function checkTenantPolicies(
  read: FieldReader,
  policies: PoliciesSpec,
  tags: Record<string, string>,
  topics: TopicSpec[],
  consumers: ConsumerSpec[],
  retentionGiven: (topic: TopicSpec) => boolean,
): void {
  for (const { key, allowed } of policies.requiredTags) {
    if (!(key in tags)) {
      read.fail(['tags'], `tag "${key}" is required (policy ${POLICY.requiredTags})`);
    } else if (allowed && !allowed.includes(tags[key]!)) {
      read.fail(
        ['tags', key],
        `tag "${key}" must be one of ${allowed.join(', ')}, got "${tags[key]}" (policy ${POLICY.requiredTags})`,
      );
    }
  }
  const naming = policies.topicNamePattern;
  if (naming)
    for (const topic of topics.filter((t) => !t.isDlq))
      if (!naming.regex.test(topic.key))
        read.fail(
          ['topics', topic.key],
          `topic name "${topic.key}" does not match the platform's naming rule /${naming.source}/ (policy ${POLICY.topicNamePattern})`,
          'key',
        );
  // Personal data leaves the team only on a share that says so.
  for (const topic of topics) {
    const fields = piiFields(topic.schema);
    if (fields.length === 0) continue;
    (topic.shareWith ?? []).forEach((share, index) => {
      if (!share.allowPii)
        read.fail(
          ['topics', topic.key, 'shareWith', index],
          `topic "${topic.key}" holds personal data (x-pii: ${fields.join(', ')}); its share with "${share.tenant}" needs allowPii: true, e.g. { tenant: ${share.tenant === '*' ? "'*'" : share.tenant}, allowPii: true } (policy ${POLICY.piiShare})`,
        );
    });
  }
  const limit = policies.piiMaxRetentionMs;
  if (limit !== undefined)
    for (const topic of topics) {
      // The DLQ keeps the failed records of every topic whose consumer dead-letters: their personal data too.
      const fields = topic.isDlq
        ? [
            ...new Set(
              consumers
                .filter((c) => c.onFailureTopic === topic.name)
                .flatMap((c) => piiFields(topics.find((t) => t.name === c.topic)?.schema)),
            ),
          ]
        : piiFields(topic.schema);
      if (fields.length === 0 || (topic.retentionMs !== -1 && topic.retentionMs <= limit)) continue;
      const kept = topic.retentionMs === -1 ? 'forever' : `for ${formatDays(topic.retentionMs)}`;
      const path = topic.isDlq ? ['dlq'] : ['topics', topic.key];
      read.fail(
        retentionGiven(topic) ? [...path, 'retention'] : path,
        `${topic.isDlq ? 'the DLQ' : `topic "${topic.key}"`} holds personal data (x-pii: ${fields.join(', ')}) and keeps it ${kept}${retentionGiven(topic) ? '' : ' (the default)'}; the platform allows at most ${formatDays(limit)} (policy ${POLICY.piiMaxRetention})`,
        retentionGiven(topic) ? 'value' : 'key',
      );
    }
}

function formatDays(ms: number): string {
  return ms % DAY === 0 ? `${ms / DAY}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 60_000}m`;
}
