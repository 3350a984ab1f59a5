/**
 * Declared producers on AWS (lib/aws/tenant-producers.ts), read back from the synthesized templates per IAM
 * principal: each producer role — created with the manifest's trust, or an existing role of the account — may
 * write exactly the topics it declared, idempotently, read its own brokers parameter and call its own ingest
 * routes, and nothing else. The isolation proof of isolation.test.ts, extended to producers: with tenants whose
 * names are prefixes of each other side by side, no producer reaches another tenant's topic, a topic of its own
 * tenant it did not declare, or the DLQ.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ingestPath, producerParameterNames, producerRoleName } from '../../lib/core/naming.ts';
import type { ProducerSpec, TenantSpec } from '../../lib/manifest/spec.ts';
import {
  allowStatements,
  iamGlobMatches,
  lookAlikeTenantStacks,
  platformParameterValues,
} from './helpers.ts';

const ACCOUNT = '123456789012';
const UUID = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3';
const CLUSTER_ARN = `arn:aws:kafka:eu-west-1:${ACCOUNT}:cluster/stratus/${UUID}`;
const TOPIC = `arn:aws:kafka:eu-west-1:${ACCOUNT}:topic/stratus/${UUID}`;
const GROUP = `arn:aws:kafka:eu-west-1:${ACCOUNT}:group/stratus/${UUID}`;
const SSM = platformParameterValues(CLUSTER_ARN, ACCOUNT);

type Statement = ReturnType<typeof allowStatements>[number];
type Json = ReturnType<Template['toJSON']>;

interface ProducerPolicies {
  tenant: TenantSpec;
  producer: ProducerSpec;
  /** Allow statements of every policy attached to the producer's role. */
  statements: Statement[];
}

/** Role name of a producer as the templates' AWS::IAM::Policy `Roles` name it (created or imported). */
function roleNameOf(producer: ProducerSpec): string {
  return producer.principal.kind === 'existing'
    ? producer.principal.roleArn.split('/').at(-1)!
    : producerRoleName(producer.tenant, producer.key);
}

/** The role names each AWS::IAM::Policy of a template is attached to (Refs resolved to the RoleName). */
function policyRoles(template: Json): Map<string, string[]> {
  const resources = template.Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  const out = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties?.Roles ?? []) as Array<string | { Ref: string }>;
    out.set(
      id,
      roles.map((role) =>
        typeof role === 'string'
          ? role
          : String(resources[role.Ref]?.Properties?.RoleName ?? `<role ${role.Ref}>`),
      ),
    );
  }
  return out;
}

function synthesize(mode: 'provisioned' | 'serverless') {
  const tenants = lookAlikeTenantStacks(mode);
  const producers: ProducerPolicies[] = [];
  const templates = new Map<string, Json>();
  for (const stack of tenants) {
    const template = Template.fromStack(stack).toJSON();
    templates.set(stack.tenant.name, template);
    const roles = policyRoles(template);
    const statements = allowStatements(template as never, { ssm: SSM, account: ACCOUNT });
    for (const producer of stack.tenant.producers ?? [])
      producers.push({
        tenant: stack.tenant,
        producer,
        statements: statements.filter((s) => roles.get(s.policy)?.includes(roleNameOf(producer))),
      });
  }
  return { tenants: tenants.map((s) => s.tenant), producers, templates };
}

const reaches = (statements: Statement[], action: string, arn: string) =>
  statements.some(
    (s) =>
      s.actions.some((a) => iamGlobMatches(a, action)) && s.resources.some((r) => iamGlobMatches(r, arn)),
  );

describe.each(['provisioned', 'serverless'] as const)('declared producers on MSK %s', (mode) => {
  const { tenants, producers, templates } = synthesize(mode);

  it('finds a policy for every declared producer, created and existing roles alike', () => {
    expect(producers.map((p) => `${p.tenant.name}/${p.producer.key}`).sort()).toEqual([
      'pay-ments/feeder',
      'pay-ments/legacy',
      'pay/feeder',
      'pay/legacy',
      'payment/feeder',
      'payment/legacy',
      'payments/checkout',
    ]);
    for (const p of producers)
      expect(p.statements.length, `${p.tenant.name}/${p.producer.key}`).toBeGreaterThan(0);
  });

  it('grants each producer exactly: connect idempotently, describe and write its topics, its parameter, its routes', () => {
    for (const { tenant, producer, statements } of producers) {
      const actions = [...new Set(statements.flatMap((s) => s.actions))].sort();
      const iamIngest = tenant.ingest?.auth === 'iam';
      const routes = (tenant.ingest?.topics ?? [])
        .filter((t) => iamIngest && producer.topicKeys.includes(t.key))
        .map((t) => `/$default/POST${ingestPath(tenant.name, t.key)}`);
      expect(actions, `${tenant.name}/${producer.key}`).toEqual(
        [
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:WriteData',
          'kafka-cluster:WriteDataIdempotently',
          'ssm:GetParameter',
          ...(routes.length > 0 ? ['execute-api:Invoke'] : []),
        ].sort(),
      );
      const resourcesOf = (action: string) =>
        statements
          .filter((s) => s.actions.includes(action))
          .flatMap((s) => s.resources)
          .sort();
      expect(resourcesOf('kafka-cluster:Connect')).toEqual([CLUSTER_ARN]);
      expect(resourcesOf('kafka-cluster:WriteDataIdempotently')).toEqual([CLUSTER_ARN]);
      expect(resourcesOf('kafka-cluster:WriteData')).toEqual(
        producer.topics.map((t) => `${TOPIC}/${t}`).sort(),
      );
      expect(resourcesOf('ssm:GetParameter')).toEqual([
        `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter${producerParameterNames(tenant.name, producer.key).bootstrapBrokers}`,
      ]);
      const invoke = resourcesOf('execute-api:Invoke');
      expect(invoke.length).toBe(routes.length);
      for (const [i, route] of routes.entries())
        expect(invoke[i]).toMatch(new RegExp(`${escapeRegExp(route)}$`));
      for (const s of statements) expect(s.conditions, `${tenant.name}/${producer.key}`).toEqual({});
    }
  });

  it("never lets a producer write another tenant's topic, an undeclared topic of its own, or read anything", () => {
    const leaks: string[] = [];
    let allowedWrites = 0;
    for (const { tenant, producer, statements } of producers)
      for (const other of tenants) {
        const topics = [...other.topics.map((t) => t.name), `${other.name}.some-future-topic`];
        for (const topic of topics) {
          const arn = `${TOPIC}/${topic}`;
          const declared = other === tenant && producer.topics.includes(topic);
          if (reaches(statements, 'kafka-cluster:WriteData', arn)) {
            if (declared) allowedWrites++;
            else leaks.push(`${tenant.name}/${producer.key} writes ${topic}`);
          }
          for (const action of [
            'kafka-cluster:ReadData',
            'kafka-cluster:AlterTopic',
            'kafka-cluster:CreateTopic',
          ])
            if (reaches(statements, action, arn))
              leaks.push(`${tenant.name}/${producer.key} ${action} ${topic}`);
        }
        for (const action of ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'])
          if (reaches(statements, action, `${GROUP}/${other.name}.x`))
            leaks.push(`${tenant.name}/${producer.key} ${action} on groups of ${other.name}`);
        for (const route of (other.ingest?.topics ?? []).map((t) => ingestPath(other.name, t.key)))
          if (
            statements.some(
              (s) => s.actions.includes('execute-api:Invoke') && s.resources.some((r) => r.endsWith(route)),
            ) &&
            !(other === tenant && producer.topicKeys.some((k) => route.endsWith(`/${k}`)))
          )
            leaks.push(`${tenant.name}/${producer.key} invokes ${route}`);
      }
    expect(leaks).toEqual([]);
    // The check can fail: every declared topic is reachable.
    expect(allowedWrites).toBe(producers.reduce((n, p) => n + p.producer.topics.length, 0));
  });

  it('creates roles only for `principal: create`, trusted as the manifest says; existing roles get a policy', () => {
    for (const { tenant, producer } of producers) {
      const roles = Object.values(
        templates.get(tenant.name)!.Resources as Record<
          string,
          { Type: string; Properties: Record<string, unknown> }
        >,
      ).filter(
        (r) =>
          r.Type === 'AWS::IAM::Role' &&
          r.Properties.RoleName === producerRoleName(tenant.name, producer.key),
      );
      if (producer.principal.kind === 'existing') {
        expect(roles).toEqual([]);
        continue;
      }
      expect(roles.length).toBe(1);
      const trust = JSON.stringify(roles[0]!.Properties.AssumeRolePolicyDocument);
      switch (producer.principal.trust.kind) {
        case 'ecs-task':
          expect(trust).toContain('ecs-tasks.amazonaws.com');
          expect(trust).toContain('aws:SourceAccount');
          expect(trust).toContain('aws:SourceArn');
          break;
        case 'lambda':
          expect(trust).toContain('lambda.amazonaws.com');
          break;
        case 'eks-pod':
          expect(trust).toContain('pods.eks.amazonaws.com');
          expect(trust).toContain('sts:TagSession');
          break;
        case 'account':
          expect(trust).toContain(`arn:aws:iam::${producer.principal.trust.account}:root`);
          break;
      }
    }
  });

  it('publishes the brokers and the role ARN of each producer as SSM parameters and stack outputs', () => {
    for (const { tenant, producer } of producers) {
      const template = Template.fromJSON(templates.get(tenant.name)!);
      const names = producerParameterNames(tenant.name, producer.key);
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: names.bootstrapBrokers });
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: names.roleArn });
      const outputs = Object.keys(template.toJSON().Outputs ?? {});
      expect(outputs.filter((o) => o.startsWith('Producer') && o.endsWith('RoleArn')).length).toBe(
        (tenant.producers ?? []).length,
      );
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
