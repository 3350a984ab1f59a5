/**
 * `producers:`, `ingest:` and `alerts.silence`: what resolves, and every refusal with its file:line:col.
 */
import { describe, expect, it } from 'vitest';
import { formatManifestError } from '../../../lib/manifest/index.ts';
import { loadProject, VALID_TENANT } from './fixture.ts';

function load(extra: string, config?: string, others: Record<string, string> = {}) {
  const result = loadProject({ config, tenants: { 'shop.yaml': `${VALID_TENANT}${extra}`, ...others } });
  return {
    ...result,
    problems: result.errors.map(formatManifestError),
    shop: result.spec.tenants.find((t) => t.name === 'shop'),
  };
}

/** The line of the first occurrence of `text` in the manifest with `extra` appended (1-based). */
function lineOf(extra: string, text: string): number {
  return `${VALID_TENANT}${extra}`.split('\n').findIndex((line) => line.includes(text)) + 1;
}

describe('producers', () => {
  it('resolves an existing role and a created role with each kind of trust', () => {
    const { problems, shop } = load(`producers:
  checkout:
    topics: [orders]
    principal: arn:aws:iam::123456789012:role/services/checkout-task
  bridge: { topics: [orders, enriched], principal: create, trust: ecs-task }
  fn: { topics: [orders], principal: create, trust: lambda }
  pods: { topics: [orders], principal: create, trust: eks-pod }
  partner: { topics: [orders], principal: create, trust: '012345678901' }
`);
    expect(problems).toEqual([]);
    expect(shop!.producers!.map((p) => [p.key, p.topics, p.principal])).toEqual([
      [
        'checkout',
        ['shop.orders'],
        { kind: 'existing', roleArn: 'arn:aws:iam::123456789012:role/services/checkout-task' },
      ],
      ['bridge', ['shop.orders', 'shop.enriched'], { kind: 'create', trust: { kind: 'ecs-task' } }],
      ['fn', ['shop.orders'], { kind: 'create', trust: { kind: 'lambda' } }],
      ['pods', ['shop.orders'], { kind: 'create', trust: { kind: 'eks-pod' } }],
      ['partner', ['shop.orders'], { kind: 'create', trust: { kind: 'account', account: '012345678901' } }],
    ]);
    expect(shop!.producers![0]!.source.line).toBe(lineOf(`producers:\n  checkout:`, '  checkout:'));
  });

  it("refuses another tenant's topic (writes are never shared), the DLQ, unknown and repeated topics", () => {
    const extra = `producers:
  checkout:
    topics: [analytics/scores, dlq, order, orders, orders]
    principal: create
    trust: lambda
`;
    const analytics = `tenant: analytics
owners: [a@example.com]
topics:
  scores: { shareWith: [shop] }
`;
    const { problems } = load(extra, undefined, { 'analytics.yaml': analytics });
    const line = lineOf(extra, 'topics: [analytics/scores');
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^tenants/shop\\.yaml:${line}:\\d+\\s+producers\\.checkout\\.topics\\.0\\s+"analytics/scores" belongs to another tenant: shares grant reads only`,
        ),
      ),
      expect.stringMatching(/producers\.checkout\.topics\.1\s+the DLQ is written by the platform only/),
      expect.stringMatching(
        /producers\.checkout\.topics\.2\s+unknown topic "order"; did you mean "orders"\?/,
      ),
      expect.stringMatching(/producers\.checkout\.topics\.4\s+"orders" is listed twice/),
    ]);
  });

  it('refuses a missing or malformed principal, a trust with an existing role, a bare-number account', () => {
    const { problems } = load(`producers:
  a: { topics: [orders] }
  b: { topics: [orders], principal: checkout-role }
  c: { topics: [orders], principal: 'arn:aws:iam::123456789012:role/x', trust: ecs-task }
  d: { topics: [orders], principal: create }
  e: { topics: [orders], principal: create, trust: 12345678901 }
  f: { topics: [orders], principal: create, trust: ecs-tasks }
  ingest: { topics: [orders], principal: create, trust: lambda }
  g: { topics: [], principal: create, trust: lambda, topic: orders }
`);
    expect(problems).toEqual([
      expect.stringMatching(/producers\.a\.principal\s+is required: the ARN of an existing IAM role/),
      expect.stringMatching(
        /producers\.b\.principal\s+"checkout-role" is neither "create" nor an IAM role ARN/,
      ),
      expect.stringMatching(/producers\.c\.trust\s+applies to a role the stack creates/),
      expect.stringMatching(/producers\.d\.trust\s+is required with principal: create/),
      expect.stringMatching(/producers\.e\.trust\s+write the account id in quotes \('012345678901'\)/),
      expect.stringMatching(/producers\.f\.trust\s+must be ecs-task, .*did you mean "ecs-task"\?/),
      expect.stringMatching(/producers\.ingest\s+"ingest" is the name the HTTP ingest endpoint writes under/),
      expect.stringMatching(/producers\.g\.topics\s+must list the topics it writes/),
      expect.stringMatching(/producers\.g\.topic\s+unknown field "topic"; did you mean "topics"\?/),
    ]);
  });

  it("refuses a role of another account than the platform's", () => {
    const { problems } = load(
      `producers:
  checkout: { topics: [orders], principal: 'arn:aws:iam::210987654321:role/checkout' }
`,
      'account: "123456789012"\n',
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /producers\.checkout\.principal\s+the role is in account 210987654321, the platform deploys to 123456789012: .*trust: '210987654321'/,
      ),
    ]);
  });
});

describe('ingest', () => {
  it('resolves topics with and without a key field, auth, body limit and throttling (with defaults)', () => {
    const { problems, shop } = load(`ingest:
  topics: [enriched, { topic: orders, key: id }]
  auth: apiKey
  maxBodyBytes: 256KiB
  throttle: { rate: 50 }
`);
    expect(problems).toEqual([]);
    expect(shop!.ingest).toMatchObject({
      topics: [
        { key: 'enriched', name: 'shop.enriched', keyField: undefined },
        { key: 'orders', name: 'shop.orders', keyField: 'id' },
      ],
      auth: 'apiKey',
      maxBodyBytes: 256 * 1024,
      throttle: { rateLimit: 50, burstLimit: 200 },
    });
  });

  it('refuses a missing auth, key fields the schema lacks or cannot key by, a body over 4 MiB, the DLQ', () => {
    const schema = JSON.stringify({
      type: 'object',
      properties: {
        id: { type: 'string' },
        createdAt: { type: 'string', format: 'date-time' },
        customer: { type: 'object', properties: { id: { type: 'integer' }, tags: { type: 'array' } } },
      },
    });
    const result = loadProject({
      tenants: {
        'shop.yaml': `${VALID_TENANT.replaceAll('schemas/order.schema.json', 'schemas/nested.schema.json')}ingest:
  topics:
    - { topic: orders, key: customer.id }
    - { topic: enriched, key: customer.tags }
    - { topic: dlq }
  maxBodyBytes: 5MiB
  throttle: { rate: 0, burst: 9000 }
`,
      },
      files: { 'schemas/nested.schema.json': schema },
    });
    const problems = result.errors.map(formatManifestError);
    expect(problems).toEqual([
      expect.stringMatching(/shop\.yaml:20:1\s+ingest\.auth\s+is required: iam .* or apiKey/),
      expect.stringMatching(
        /ingest\.topics\.1\.key\s+"customer\.tags" is array; a key field must be a string or a number/,
      ),
      expect.stringMatching(/ingest\.topics\.2\s+the DLQ is written by the platform only/),
      expect.stringMatching(/ingest\.maxBodyBytes\s+must be between 1KiB and 4MiB/),
      expect.stringMatching(/ingest\.throttle\.rate\s+must be an integer from 1 to 10000, got number 0/),
      expect.stringMatching(/ingest\.throttle\.burst\s+must be an integer from 1 to 5000, got number 9000/),
    ]);
  });

  it('names a key field missing from the schema with the closest one', () => {
    const { problems } = load(`ingest:
  topics: [{ topic: orders, key: ID }]
  auth: iam
`);
    expect(problems).toEqual([
      expect.stringMatching(
        /ingest\.topics\.0\.key\s+"ID" is not a field; did you mean "id"\? \(topic "orders"'s schema/,
      ),
    ]);
  });
});

describe('alerts.silence', () => {
  it('is a duration of whole minutes for a tenant with producers or an ingest endpoint', () => {
    const ok = load(`ingest: { topics: [orders], auth: iam }
alerts: { silence: 45m }
`);
    expect(ok.problems).toEqual([]);
    expect(ok.shop!.alerts.silenceMs).toBe(45 * 60_000);
    const bad = load(`ingest: { topics: [orders], auth: iam }
alerts: { silence: 90s }
`);
    expect(bad.problems).toEqual([
      expect.stringMatching(/alerts\.silence\s+must be between 5m and 1d, got "90s"/),
    ]);
  });

  it('is refused where nothing declared writes', () => {
    const { problems } = load('alerts: { silence: 30m }\n');
    expect(problems).toEqual([
      expect.stringMatching(
        /alerts\.silence\s+watches the topics declared producers or the ingest endpoint write/,
      ),
    ]);
  });
});
