/** What `stratus dev`, `demo` and `produce` share: loading the spec and resolving tenants and topics. */
import { loadStratusOrThrow } from '../../manifest/index.ts';
import type { StratusSpec, TenantSpec, TopicSpec } from '../../manifest/spec.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../context.ts';

export function loadSpec(ctx: CliContext, configFile?: string): StratusSpec {
  return loadStratusOrThrow({ rootDir: ctx.cwd, configFile });
}

/** The named tenants, or a CliError naming the valid ones. */
export function tenantsByName(spec: StratusSpec, names: readonly string[] | undefined): TenantSpec[] {
  if (!names || names.length === 0) {
    if (spec.tenants.length === 0) throw new CliError(`no tenant manifests in ${spec.platform.tenantsDir}/`);
    return spec.tenants;
  }
  const known = spec.tenants.map((tenant) => tenant.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new CliError(
      `unknown tenant${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')}; valid: ${known.join(', ') || '(none)'}`,
    );
  return names.map((name) => spec.tenants.find((tenant) => tenant.name === name)!);
}

/** A topic by key (`orders`) or full name (`payments.orders`), or a CliError naming the tenant's topics. */
export function topicOf(tenant: TenantSpec, topic: string): TopicSpec {
  const found = tenant.topics.find((t) => t.key === topic || t.name === topic);
  if (!found)
    throw new CliError(
      `tenant ${tenant.name} has no topic "${topic}"; valid: ${tenant.topics.map((t) => t.key).join(', ')}`,
    );
  return found;
}
