/**
 * Shared topics, read back from the synthesized templates: 20 generated tenants share their `enriched` topic
 * with random other tenants (some with everyone), and each reads a random part of what is shared with it.
 * A reader's consumer role reaches exactly the topic it reads (describe and read, nothing else) and its own
 * group; no statement of any tenant reaches any other foreign topic, group, or anything writable.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addStratusStacks } from '../../lib/aws/app.ts';
import { loadStratusOrThrow } from '../../lib/manifest/load.ts';
import {
  allowStatements,
  appWithoutBundling,
  generatedManifest,
  generatedProject,
  iamGlobMatches,
  platformParameterValues,
} from './helpers.ts';

const ACCOUNT = '123456789012';
const CLUSTER = `stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3`;
const CLUSTER_ARN = `arn:aws:kafka:eu-west-1:${ACCOUNT}:cluster/${CLUSTER}`;
const TOPIC = (name: string) => `arn:aws:kafka:eu-west-1:${ACCOUNT}:topic/${CLUSTER}/${name}`;
const GROUP = (name: string) => `arn:aws:kafka:eu-west-1:${ACCOUNT}:group/${CLUSTER}/${name}`;
const SSM = platformParameterValues(CLUSTER_ARN, ACCOUNT);

/** mulberry32: a seeded generator, so a failure names a seed that reproduces it. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.STRATUS_SHARING_SEED ?? 20261130);

/** 20 tenants, names that prefix each other (`ten1`, `ten1-x`, `ten10`), random shares and random reads. */
function generate(seed: number) {
  const next = random(seed);
  const names = Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? `ten${i - 3}-x` : `ten${i}`));
  const shares = new Map<string, string[] | '*'>();
  for (const name of names) {
    const roll = next();
    shares.set(name, roll < 0.1 ? '*' : names.filter((other) => other !== name && next() < 0.25));
  }
  const readable = (reader: string) =>
    names.filter(
      (owner) => owner !== reader && (shares.get(owner) === '*' || shares.get(owner)!.includes(reader)),
    );
  const reads = new Map(names.map((name) => [name, readable(name).filter(() => next() < 0.6)]));
  const root = generatedProject({ tenants: names });
  for (const [index, name] of names.entries()) {
    const share = shares.get(name)!;
    const manifest = generatedManifest(name, index)
      .replace(
        '  enriched: { partitions: 3, retention: 1d, schema: schemas/payments/order-enriched.schema.json }',
        `  enriched:\n    schema: schemas/payments/order-enriched.schema.json\n    shareWith: ${share === '*' ? "'*'" : `[${share.join(', ')}]`}`,
      )
      .replace(
        'sinks:',
        `${reads
          .get(name)!
          .map(
            (owner) =>
              `  read-${owner}:\n    topic: ${owner}/enriched\n    handler: functions/payments/enrich-orders.ts\n`,
          )
          .join('')}sinks:`,
      );
    writeFileSync(path.join(root, 'tenants', `${name}.yaml`), manifest);
  }
  return { root, names, reads };
}

describe(`shared topics on AWS: 20 generated tenants, random shares (seed ${SEED})`, () => {
  const { root, names, reads } = generate(SEED);
  const spec = loadStratusOrThrow({ rootDir: root });
  const { tenants } = addStratusStacks(appWithoutBundling(), spec, { nag: false });
  const stacks = tenants.map((stack) => ({
    tenant: stack.tenant.name,
    statements: allowStatements(Template.fromStack(stack).toJSON() as never, { ssm: SSM, account: ACCOUNT }),
  }));
  const kafkaTopic = /^arn:aws:kafka:[^:]+:\d+:topic\/[^/]+\/[^/]+\/(.+)$/;

  it('the generated shares are used (so the checks below can fail)', () => {
    const total = [...reads.values()].reduce((sum, list) => sum + list.length, 0);
    expect(total).toBeGreaterThan(10);
    expect(stacks).toHaveLength(20);
  });

  it("each reader's consumer role reads exactly the shared topic, with its own group only", () => {
    for (const { tenant, statements } of stacks) {
      for (const owner of reads.get(tenant)!) {
        const topic = `${owner}.enriched`;
        const reaching = statements.filter(
          (s) =>
            s.actions.some((a) => a === '*' || a.startsWith('kafka-cluster:')) &&
            s.resources.some((r) => iamGlobMatches(r, TOPIC(topic))),
        );
        expect(reaching, `${tenant} → ${topic}`).toHaveLength(1);
        expect(reaching[0]!.actions.sort()).toEqual([
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:ReadData',
        ]);
        expect(reaching[0]!.resources).toEqual([TOPIC(topic)]);
        // Same role: its policy also holds the consumer's own group, and no other group.
        const policy = statements.filter((s) => s.policy === reaching[0]!.policy);
        const groups = policy.flatMap((s) => s.resources).filter((r) => r.includes(':group/'));
        expect(groups).toEqual([GROUP(`${tenant}.read-${owner}`)]);
      }
    }
  });

  it('no statement reaches a foreign topic that is not shared with and read by its tenant, nor any foreign group', () => {
    const leaks: string[] = [];
    for (const { tenant, statements } of stacks) {
      const allowed = new Set(reads.get(tenant)!.map((owner) => `${owner}.enriched`));
      for (const other of names.filter((n) => n !== tenant)) {
        const otherTenant = spec.tenants.find((t) => t.name === other)!;
        const targets = [
          ...otherTenant.topics.map((t) => ({ arn: TOPIC(t.name), name: t.name })),
          { arn: TOPIC(`${other}.some-future-topic`), name: `${other}.some-future-topic` },
          ...otherTenant.consumers.map((c) => ({ arn: GROUP(c.groupId), name: `group ${c.groupId}` })),
          { arn: GROUP(`${other}.some-future-consumer`), name: `group ${other}.some-future-consumer` },
        ];
        for (const target of targets)
          for (const statement of statements) {
            // Firehose's documented MSK-source role describes every group of the cluster (its own group's name
            // is not documented); read-only, and accepted by the isolation test for the same reason.
            const actions = statement.actions.filter((a) => a !== 'kafka-cluster:DescribeGroup');
            if (!actions.some((a) => a === '*' || a.startsWith('kafka-cluster:'))) continue;
            if (!statement.resources.some((r) => iamGlobMatches(r, target.arn))) continue;
            const readOnly = actions.every((a) =>
              ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'].includes(a),
            );
            if (!allowed.has(target.name) || !readOnly)
              leaks.push(`${tenant} → ${target.name} via ${statement.actions.join(',')}`);
          }
      }
      // Every foreign topic ARN in the tenant's policies is one it reads.
      for (const statement of statements)
        for (const resource of statement.resources) {
          const name = kafkaTopic.exec(resource)?.[1];
          if (name && !name.startsWith(`${tenant}.`) && !allowed.has(name))
            leaks.push(`${tenant} → ${resource}`);
        }
    }
    expect(leaks).toEqual([]);
  });
});
