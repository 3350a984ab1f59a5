/**
 * Custom-resource handler for a tenant's Kafka quotas on MSK (`Custom::StratusKafkaQuota`, lib/aws/kafka-quotas.ts),
 * under the CDK provider framework. kafkajs has no AlterClientQuotas, so it speaks the Kafka protocol itself
 * (lib/ops/shared/client-quotas.ts, the code the local runtime uses too):
 *   Create / Update  set producer_byte_rate / consumer_byte_rate on the client id; a rate no longer given is removed
 *   Delete           remove both rates (the client id falls back to the broker's defaults)
 */
import {
  alterClientQuotas,
  type ClientQuota,
  type QuotaConnection,
} from '../../lib/ops/shared/client-quotas.ts';

/** The resource's properties as CloudFormation passes them (numbers arrive as strings). */
export interface QuotaResourceProperties {
  ClientId: string;
  /** Bytes per second per broker. */
  ProducerByteRate?: number | string;
  ConsumerByteRate?: number | string;
}

export interface QuotaResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResourceProperties: QuotaResourceProperties & { ServiceToken?: string };
  OldResourceProperties?: QuotaResourceProperties;
  PhysicalResourceId?: string;
}

function rate(value: number | string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`${name} must be a positive number, got ${String(value)}`);
  return number;
}

/** Applies one event through `connection`; returns the physical id. */
export async function manageQuota(
  connection: QuotaConnection,
  event: QuotaResourceEvent,
): Promise<{ PhysicalResourceId: string }> {
  const props = event.ResourceProperties;
  if (!props.ClientId) throw new Error('ClientId is required');
  const values: ClientQuota['values'] = {};
  if (event.RequestType === 'Delete') {
    values.producer_byte_rate = null;
    values.consumer_byte_rate = null;
  } else {
    const produce = rate(props.ProducerByteRate, 'ProducerByteRate');
    const consume = rate(props.ConsumerByteRate, 'ConsumerByteRate');
    const old = event.OldResourceProperties;
    if (produce !== undefined) values.producer_byte_rate = produce;
    else if (old?.ProducerByteRate !== undefined) values.producer_byte_rate = null;
    if (consume !== undefined) values.consumer_byte_rate = consume;
    else if (old?.ConsumerByteRate !== undefined) values.consumer_byte_rate = null;
    // A new client id: the old one's quotas go (CloudFormation then sends a Delete for the old physical id).
  }
  await alterClientQuotas(connection, [{ clientId: props.ClientId, values }]);
  return { PhysicalResourceId: `quota:${props.ClientId}` };
}

/** Provider-framework entry point; the connection comes from the environment lib/aws/kafka-quotas.ts sets. */
export async function handler(event: QuotaResourceEvent): Promise<{ PhysicalResourceId: string }> {
  const broker = (process.env.STRATUS_KAFKA_BROKERS ?? '').split(',')[0]?.trim();
  if (!broker) throw new Error('STRATUS_KAFKA_BROKERS is not set');
  // A Delete names the client id of the resource being deleted, which is in its own properties.
  return manageQuota({ broker, auth: 'iam', region: process.env.AWS_REGION }, event);
}
