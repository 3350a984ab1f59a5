/**
 * Builds the Stratus CDK app from the resolved manifests: `Stratus-Platform` and one `Stratus-Tenant-<name>`
 * per tenant. Shared by bin/stratus.ts (the `cdk.json` app), the tests and the synth benchmark.
 */
import type { App } from 'aws-cdk-lib';
import {
  consumerFunctionName,
  ingestFunctionName,
  PLATFORM_STACK_NAME,
  producerRoleName,
  sinkStreamName,
  tenantStackName,
} from '../core/naming.ts';
import type { StratusSpec } from '../manifest/spec.ts';
import { acknowledgeAcceptedFindings, addNagChecks } from './nag.ts';
import type { PlatformFacts } from './platform-parameters.ts';
import { PlatformStack } from './platform-stack.ts';
import { TenantStack } from './tenant-stack.ts';

export interface StratusAppOptions {
  /**
   * Only these tenants get a stack (the platform still sees every tenant, so its Glue databases stay).
   * @default - every tenant
   */
  readonly tenants?: string[];
  /**
   * Run cdk-nag's AwsSolutions checks on every stack.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Platform facts for the tenant stacks instead of SSM parameters (tests).
   * @default - SSM parameters
   */
  readonly facts?: PlatformFacts;
}

export interface StratusStacks {
  platform: PlatformStack;
  tenants: TenantStack[];
}

/** Adds the platform and tenant stacks to `app`. */
export function addStratusStacks(
  app: App,
  spec: StratusSpec,
  options: StratusAppOptions = {},
): StratusStacks {
  assertUniqueAwsNames(spec);
  const { platform } = spec;
  const env = { region: platform.region, account: platform.account };
  const platformStack = new PlatformStack(app, PLATFORM_STACK_NAME, { env, platform, tenants: spec.tenants });
  const selected = options.tenants?.length
    ? spec.tenants.filter((tenant) => options.tenants!.includes(tenant.name))
    : spec.tenants;
  const tenantStacks = selected.map(
    (tenant) =>
      new TenantStack(app, tenantStackName(tenant.name), { env, tenant, platform, facts: options.facts }),
  );
  if (options.nag ?? true) {
    addNagChecks(app);
    for (const stack of [platformStack, ...tenantStacks]) acknowledgeAcceptedFindings(stack);
  }
  return { platform: platformStack, tenants: tenantStacks };
}

/**
 * Function, stream and role names are account-wide and derived by prefixing (`stratus-<tenant>-<key>`), so tenant
 * "pay" with consumer "ments-x" and tenant "pay-ments" with consumer "x" would collide; refuse that here,
 * before CloudFormation does halfway through a deployment.
 */
function assertUniqueAwsNames(spec: StratusSpec): void {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const tenant of spec.tenants) {
    const names = [
      ...tenant.consumers.map((c) => [
        consumerFunctionName(tenant.name, c.key),
        `${tenant.file} consumers.${c.key}`,
      ]),
      ...tenant.sinks.map((s) => [sinkStreamName(tenant.name, s.key), `${tenant.file} sinks.${s.key}`]),
      ...(tenant.ingest ? [[ingestFunctionName(tenant.name), `${tenant.file} ingest`]] : []),
      ...(tenant.producers ?? [])
        .filter((p) => p.principal.kind === 'create')
        .map((p) => [producerRoleName(tenant.name, p.key), `${tenant.file} producers.${p.key}`]),
    ];
    for (const [name, where] of names) {
      const owner = owners.get(name!);
      if (owner)
        problems.push(`${where}: AWS name "${name}" is also derived from ${owner}; rename one of them`);
      else owners.set(name!, where!);
    }
  }
  if (problems.length > 0) throw new Error(`Stratus: clashing AWS resource names:\n${problems.join('\n')}`);
}
