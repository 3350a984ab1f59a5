/**
 * Per-tenant Kafka quotas on the local broker. kafkajs has no AlterClientQuotas, so Kafka's own
 * `kafka-configs` (kafka.admin.ConfigCommand, from the broker's jars) sets `producer_byte_rate` and
 * `consumer_byte_rate` on the tenant's client id (`stratus-<tenant>`, lib/core/naming.ts), the same entity the
 * platform's custom resource sets on MSK. https://kafka.apache.org/documentation/#quotas
 */
import { tenantClientId } from '../core/naming.ts';
import type { TenantSpec } from '../manifest/spec.ts';
import { ensureKafkaJars, javaBinary, runJava } from './kafka-broker.ts';

/** The quota configs of a tenant as Kafka names them; empty when the tenant has none. */
export function quotaConfigs(tenant: TenantSpec): Record<string, number> {
  const configs: Record<string, number> = {};
  if (tenant.quotas?.produceBytesPerSecond !== undefined)
    configs.producer_byte_rate = tenant.quotas.produceBytesPerSecond;
  if (tenant.quotas?.consumeBytesPerSecond !== undefined)
    configs.consumer_byte_rate = tenant.quotas.consumeBytesPerSecond;
  return configs;
}

/** Sets each tenant's quotas on the broker (tenants without quotas are left alone); returns what was set. */
export async function applyLocalQuotas(
  brokers: readonly string[],
  tenants: readonly TenantSpec[],
  say: (line: string) => void = () => {},
): Promise<string[]> {
  const withQuotas = tenants.filter((tenant) => Object.keys(quotaConfigs(tenant)).length > 0);
  if (withQuotas.length === 0) return [];
  const classpath = `${await ensureKafkaJars(say)}/*`;
  const lines: string[] = [];
  // One JVM per tenant, all at once: ConfigCommand alters one entity per call.
  await Promise.all(
    withQuotas.map(async (tenant) => {
      const configs = quotaConfigs(tenant);
      const entity = tenantClientId(tenant.name);
      await runJava(
        javaBinary(),
        [
          '-cp',
          classpath,
          'kafka.admin.ConfigCommand',
          '--bootstrap-server',
          brokers.join(','),
          '--alter',
          '--entity-type',
          'clients',
          '--entity-name',
          entity,
          '--add-config',
          Object.entries(configs)
            .map(([key, value]) => `${key}=${value}`)
            .join(','),
        ],
        `setting the Kafka quotas of ${entity}`,
      );
      lines.push(
        `quotas of ${entity}: ${Object.entries(configs)
          .map(([key, value]) => `${key} ${value} B/s`)
          .join(', ')}`,
      );
    }),
  );
  return lines;
}
