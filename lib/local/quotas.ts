/**
 * Per-tenant Kafka quotas on the local broker: `producer_byte_rate` / `consumer_byte_rate` on the tenant's
 * client id (`stratus-<tenant>`, lib/core/naming.ts), set over the wire protocol (kafkajs has no
 * AlterClientQuotas) by the same code the platform's quota custom resource runs on MSK.
 * https://kafka.apache.org/documentation/#design_quotas
 */
import { tenantClientId } from '../core/naming.ts';
import type { TenantSpec } from '../manifest/spec.ts';
import { alterClientQuotas, type ClientQuota } from '../ops/shared/client-quotas.ts';

/** The tenant's quota as Kafka names it; undefined when the tenant has none. */
export function tenantQuota(tenant: TenantSpec): ClientQuota | undefined {
  const values: ClientQuota['values'] = {};
  if (tenant.quotas?.produceBytesPerSecond !== undefined)
    values.producer_byte_rate = tenant.quotas.produceBytesPerSecond;
  if (tenant.quotas?.consumeBytesPerSecond !== undefined)
    values.consumer_byte_rate = tenant.quotas.consumeBytesPerSecond;
  return Object.keys(values).length > 0 ? { clientId: tenantClientId(tenant.name), values } : undefined;
}

/** Sets each tenant's quotas on the broker (tenants without quotas are left alone); returns what was set. */
export async function applyLocalQuotas(
  brokers: readonly string[],
  tenants: readonly TenantSpec[],
): Promise<string[]> {
  const quotas = tenants.map(tenantQuota).filter((q): q is ClientQuota => q !== undefined);
  if (quotas.length === 0) return [];
  await alterClientQuotas({ broker: brokers[0]! }, quotas);
  return quotas.map(
    (q) =>
      `quotas of ${q.clientId}: ${Object.entries(q.values)
        .map(([key, value]) => `${key} ${value} B/s`)
        .join(', ')}`,
  );
}
