import { describe, expect, it } from 'vitest';
import { formatManifestError } from '../../../lib/manifest/index.ts';
import { loadProject, VALID_TENANT } from './fixture.ts';

const POLICIES = `governance:
  policies:
    requiredTags:
      team: ~
      data-classification: [public, internal, confidential]
    topicNamePattern: '[a-z]+(-[a-z]+)*'
    pii:
      maxRetention: 3d
`;

const PII_SCHEMA = JSON.stringify({
  type: 'object',
  properties: {
    id: { type: 'string' },
    customer: { type: 'object', properties: { email: { type: 'string', 'x-pii': true } } },
  },
});

const TAGGED = VALID_TENANT.replace(
  'topics:',
  'tags: { team: shop, data-classification: internal }\ntopics:',
);

function problems(tenant: string, config = POLICIES) {
  const { errors } = loadProject({
    config,
    tenants: { 'shop.yaml': tenant },
    files: { 'schemas/customer.schema.json': PII_SCHEMA },
  });
  return errors.map(formatManifestError);
}

describe('platform policies (governance.policies)', () => {
  it('a manifest that follows every policy is valid', () => {
    expect(problems(TAGGED)).toEqual([]);
  });

  it('requiredTags: a missing tag, at the tags field or the top of the file, with the policy name', () => {
    expect(problems(VALID_TENANT.replace('topics:', 'tags: { team: shop }\ntopics:'))).toEqual([
      'tenants/shop.yaml:4:7  tags  tag "data-classification" is required (policy governance.policies.requiredTags)',
    ]);
    expect(problems(VALID_TENANT)).toEqual([
      'tenants/shop.yaml:1:1  tags  tag "team" is required (policy governance.policies.requiredTags)',
      'tenants/shop.yaml:1:1  tags  tag "data-classification" is required (policy governance.policies.requiredTags)',
    ]);
  });

  it('requiredTags: a value outside the allowed list', () => {
    expect(problems(TAGGED.replace('data-classification: internal', 'data-classification: secret'))).toEqual([
      'tenants/shop.yaml:4:42  tags.data-classification  tag "data-classification" must be one of public, internal, confidential, got "secret" (policy governance.policies.requiredTags)',
    ]);
  });

  it('topicNamePattern: a topic key that breaks the naming rule, at the key', () => {
    expect(
      problems(
        TAGGED.replace('  enriched: {', '  enriched2: {')
          .replace('output: enriched', 'output: enriched2')
          .replace('topic: enriched', 'topic: enriched2'),
      ),
    ).toEqual([
      'tenants/shop.yaml:10:3  topics.enriched2  topic name "enriched2" does not match the platform\'s naming rule /[a-z]+(-[a-z]+)*/ (policy governance.policies.topicNamePattern)',
    ]);
  });

  it('pii.maxRetention: a topic with x-pii fields kept too long, at its retention or its key when defaulted', () => {
    const pii = TAGGED.replace(
      'schema: schemas/order.schema.json\n  enriched',
      'schema: schemas/customer.schema.json\n  enriched',
    ).replace('retention: 1d', 'retention: 5d');
    expect(problems(pii)).toEqual(
      [
        'tenants/shop.yaml:8:16  topics.orders.retention  topic "orders" holds personal data (x-pii: customer.email) and keeps it for 5d; the platform allows at most 3d (policy governance.policies.pii.maxRetention)',
        // The consumer of the PII topic dead-letters into the DLQ, which keeps 7d by default.
        'tenants/shop.yaml:1:1  dlq  the DLQ holds personal data (x-pii: customer.email) and keeps it for 14d (the default); the platform allows at most 3d (policy governance.policies.pii.maxRetention)',
      ].sort(),
    );
    const fixed = pii
      .replace('retention: 5d', 'retention: 2d')
      .replace('consumers:', 'dlq: { retention: 1d }\nconsumers:');
    expect(problems(fixed)).toEqual([]);
  });

  it('an invalid policy in the config is located in stratus.config.yaml', () => {
    const bad = POLICIES.replace("'[a-z]+(-[a-z]+)*'", "'[a-z'").replace('3d', 'soon');
    expect(problems(TAGGED, bad)).toEqual([
      expect.stringMatching(
        /^stratus.config.yaml:6:23 {2}governance.policies.topicNamePattern {2}is not a regular expression/,
      ),
      expect.stringMatching(/^stratus.config.yaml:8:21 {2}governance.policies.pii.maxRetention /),
    ]);
  });

  it('tags: reserved prefixes and invalid values are refused', () => {
    expect(
      problems(VALID_TENANT.replace('topics:', 'tags: { "stratus:tenant": x, team: [a] }\ntopics:'), ''),
    ).toEqual([
      'tenants/shop.yaml:4:9  tags.stratus:tenant  "stratus:tenant": the "aws:" and "stratus:" prefixes are reserved',
      'tenants/shop.yaml:4:36  tags.team  must be a tag value (up to 256 letters, digits, spaces and _ . : / = + - @), got a list',
    ]);
  });
});
