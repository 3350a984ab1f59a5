import { describe, expect, it } from 'vitest';
import { formatManifestError } from '../../../lib/manifest/index.ts';
import { loadProject } from './fixture.ts';

const OWNER = `tenant: payments
owners: [pay@example.com]
topics:
  orders:
    schema: schemas/order.schema.json
  orders-enriched:
    schema: schemas/order.schema.json
    shareWith: [analytics]
  customers:
    schema: schemas/customer.schema.json
    shareWith: [{ tenant: analytics, allowPii: true }]
`;

const READER = `tenant: analytics
owners: [analytics@example.com]
topics:
  scores: {}
consumers:
  fraud-scores:
    topic: payments/orders-enriched
    handler: functions/enrich.ts
    output: scores
`;

const CUSTOMER_SCHEMA = JSON.stringify({
  type: 'object',
  properties: { id: { type: 'string' }, email: { type: 'string', 'x-pii': true } },
});

function load(tenants: Record<string, string>) {
  const result = loadProject({ tenants, files: { 'schemas/customer.schema.json': CUSTOMER_SCHEMA } });
  return { ...result, problems: result.errors.map(formatManifestError) };
}

describe('sharing topics across tenants', () => {
  it('a consumer reads <owner>/<topic> when the owner shares it; the spec names the owner and the topic', () => {
    const { problems, spec } = load({ 'payments.yaml': OWNER, 'analytics.yaml': READER });
    expect(problems).toEqual([]);
    const analytics = spec.tenants.find((t) => t.name === 'analytics')!;
    expect(analytics.consumers[0]).toMatchObject({
      topic: 'payments.orders-enriched',
      topicKey: 'orders-enriched',
      topicOwner: 'payments',
      groupId: 'analytics.fraud-scores',
    });
    expect(analytics.sharedReads).toEqual([
      expect.objectContaining({ owner: 'payments', key: 'orders-enriched', consumer: 'fraud-scores' }),
    ]);
    expect(analytics.sharedTopics?.map((t) => t.name)).toEqual(['payments.orders-enriched']);
    expect(analytics.sharedTopics?.[0]?.schema).toBeDefined();
  });

  it('reading a topic that is not shared names the owner and the missing grant, at both manifests', () => {
    const { problems } = load({
      'payments.yaml': OWNER,
      'analytics.yaml': READER.replace('payments/orders-enriched', 'payments/orders'),
    });
    expect(problems).toEqual([
      'tenants/analytics.yaml:7:12  consumers.fraud-scores.topic  "payments" does not share topic "orders" with "analytics": tenants/payments.yaml:4 needs topics.orders.shareWith: [analytics]',
      'tenants/payments.yaml:4:3  topics.orders.shareWith  consumer analytics/fraud-scores (tenants/analytics.yaml:7) reads this topic, but shareWith does not grant "analytics"; keep the share until that consumer stops reading it',
    ]);
  });

  it('removing a share that a consumer still uses is refused, naming the consumer', () => {
    const { problems } = load({
      'payments.yaml': OWNER.replace('shareWith: [analytics]', 'shareWith: [risk]'),
      'analytics.yaml': READER,
      'risk.yaml': 'tenant: risk\nowners: [risk@example.com]\ntopics:\n  alerts: {}\n',
    });
    expect(problems).toContain(
      'tenants/payments.yaml:8:17  topics.orders-enriched.shareWith  consumer analytics/fraud-scores (tenants/analytics.yaml:7) reads this topic, but shareWith does not grant "analytics"; keep the share until that consumer stops reading it',
    );
    // Removing the whole topic is refused the same way.
    const gone = load({
      'payments.yaml': OWNER.replace(/ {2}orders-enriched:\n.*\n.*\n/, ''),
      'analytics.yaml': READER,
    });
    expect(gone.problems).toEqual([
      'tenants/analytics.yaml:7:12  consumers.fraud-scores.topic  tenant "payments" has no topic "orders-enriched" (tenants/payments.yaml)',
      'tenants/payments.yaml:1:1  topics  consumer analytics/fraud-scores (tenants/analytics.yaml:7) still reads payments/orders-enriched, which this manifest does not declare; keep the topic and its share until that consumer is gone',
    ]);
  });

  it('"*" shares with every tenant; writes and sinks never cross tenants', () => {
    const everyone = load({
      'payments.yaml': OWNER.replace('shareWith: [analytics]', "shareWith: '*'"),
      'analytics.yaml': READER,
    });
    expect(everyone.problems).toEqual([]);
    const writes = load({
      'payments.yaml': OWNER,
      'analytics.yaml': `${READER.replace('output: scores', 'output: payments/orders')}sinks:\n  lake: { topic: payments/orders-enriched, format: json }\n`,
    });
    expect(writes.problems).toEqual([
      'tenants/analytics.yaml:9:13  consumers.fraud-scores.output  "payments/orders" belongs to another tenant: only reads are shared, a processor writes its own tenant\'s topics',
      'tenants/analytics.yaml:11:18  sinks.lake.topic  "payments/orders-enriched" belongs to another tenant: a sink lands its own tenant\'s topics (read the shared topic with a consumer that writes one of yours)',
    ]);
  });

  it('unknown owners, unknown share targets, self-references and malformed references are located errors', () => {
    const { problems } = load({
      'payments.yaml': OWNER.replace('shareWith: [analytics]', 'shareWith: [analytcs, payments]'),
      'analytics.yaml': READER.replace('payments/orders-enriched', 'paymants/orders-enriched').replace(
        'output: scores',
        'output: scores\n  self:\n    topic: analytics/scores\n    handler: functions/enrich.ts\n  odd:\n    topic: payments/orders/x\n    handler: functions/enrich.ts',
      ),
    });
    expect(problems).toEqual([
      'tenants/analytics.yaml:7:12  consumers.fraud-scores.topic  no manifest declares tenant "paymants"; did you mean "payments"?',
      'tenants/analytics.yaml:11:12  consumers.self.topic  "analytics/scores" is this tenant\'s own topic; name it by its key ("scores")',
      'tenants/analytics.yaml:14:12  consumers.odd.topic  "payments/orders/x" is not a shared topic reference; write <tenant>/<topic>, e.g. payments/orders',
      'tenants/payments.yaml:8:17  topics.orders-enriched.shareWith  no manifest declares tenant "analytcs"; did you mean "analytics"?; a share names an existing tenant',
      'tenants/payments.yaml:8:27  topics.orders-enriched.shareWith.1  "payments" owns the topic; a tenant does not share with itself',
    ]);
  });

  it('a topic with x-pii fields is shared only with allowPii: true (policy governance.policies.pii.share)', () => {
    const { problems } = load({
      'payments.yaml': OWNER.replace('{ tenant: analytics, allowPii: true }', 'analytics'),
      'analytics.yaml': READER,
    });
    expect(problems).toEqual([
      'tenants/payments.yaml:11:17  topics.customers.shareWith.0  topic "customers" holds personal data (x-pii: email); its share with "analytics" needs allowPii: true, e.g. { tenant: analytics, allowPii: true } (policy governance.policies.pii.share)',
    ]);
  });
});
