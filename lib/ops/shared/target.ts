import { didYouMean } from '../../manifest/errors.ts';
import type { ConsumerSpec, StratusSpec, TenantSpec } from '../../manifest/spec.ts';
import { OpsError } from './errors.ts';

/** The tenant named on the command line; an unknown one is an error that lists the valid names. */
export function findTenant(spec: StratusSpec, name: string): TenantSpec {
  const tenant = spec.tenants.find((candidate) => candidate.name === name);
  if (tenant) return tenant;
  const names = spec.tenants.map((candidate) => candidate.name);
  throw new OpsError(
    `unknown tenant "${name}"${didYouMean(name, names)} (tenants: ${names.join(', ') || 'none declared'}); nothing was changed`,
  );
}

/** The consumer of a tenant; an unknown one is an error that lists the tenant's consumers. */
export function findConsumer(tenant: TenantSpec, key: string): ConsumerSpec {
  const consumer = tenant.consumers.find((candidate) => candidate.key === key);
  if (consumer) return consumer;
  const keys = tenant.consumers.map((candidate) => candidate.key);
  throw new OpsError(
    `tenant "${tenant.name}" has no consumer "${key}"${didYouMean(key, keys)} (consumers: ${keys.join(', ') || 'none declared'}); nothing was changed`,
  );
}
