/**
 * The quota custom resource (functions/platform/quota-handler.ts) against the real broker, called as the CDK
 * provider framework calls it, and checked with Kafka's own tool (kafka-configs, from the broker's jars) as an
 * independent reader of what our wire-protocol client wrote.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { manageQuota, type QuotaResourceEvent } from '../../../functions/platform/quota-handler.ts';
import { ensureKafkaJars } from '../../../lib/local/kafka-broker.ts';
import { describeClientQuotas } from '../../../lib/ops/shared/client-quotas.ts';
import { testServices, uniqueName } from '../../support/services.ts';

const run = promisify(execFile);

describe('Kafka quota custom resource against the broker', () => {
  const { brokers } = testServices();
  const connection = { broker: brokers[0]! };
  const clientId = `stratus-${uniqueName('quota')}`;

  /** What Kafka's ConfigCommand reports for the client id, e.g. `producer_byte_rate=65536.0`. */
  async function kafkaConfigs(): Promise<string> {
    const jars = await ensureKafkaJars();
    const { stdout } = await run(process.env.JAVA_HOME ? `${process.env.JAVA_HOME}/bin/java` : 'java', [
      '-cp',
      `${jars}/*`,
      'kafka.admin.ConfigCommand',
      '--bootstrap-server',
      brokers.join(','),
      '--describe',
      '--entity-type',
      'clients',
      '--entity-name',
      clientId,
    ]);
    return stdout.trim();
  }

  /**
   * Retries an assertion for a while: a broker learns a quota from the KRaft controller's metadata a moment
   * after AlterClientQuotas returns, so a read right after a change may still show the previous value.
   */
  async function eventually(check: () => Promise<void>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await check();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  const event = (
    RequestType: QuotaResourceEvent['RequestType'],
    props: Partial<QuotaResourceEvent['ResourceProperties']>,
    old?: QuotaResourceEvent['OldResourceProperties'],
  ): QuotaResourceEvent => ({
    RequestType,
    ResourceProperties: { ClientId: clientId, ServiceToken: 'arn:aws:lambda:…', ...props },
    OldResourceProperties: old,
  });

  it('creates, updates (removing a rate no longer given) and deletes a tenant quota', {
    timeout: 90_000,
  }, async () => {
    // CloudFormation passes numbers as strings.
    const created = await manageQuota(
      connection,
      event('Create', { ProducerByteRate: '65536', ConsumerByteRate: '131072' }),
    );
    expect(created).toEqual({ PhysicalResourceId: `quota:${clientId}` });
    await eventually(async () => {
      const configs = await kafkaConfigs();
      expect(configs).toContain('consumer_byte_rate=131072.0');
      expect(configs).toContain('producer_byte_rate=65536.0');
    });

    await manageQuota(
      connection,
      event(
        'Update',
        { ProducerByteRate: '32768' },
        { ClientId: clientId, ProducerByteRate: '65536', ConsumerByteRate: '131072' },
      ),
    );
    expect(await describeClientQuotas(connection, [clientId])).toEqual(
      new Map([[clientId, { producer_byte_rate: 32768 }]]),
    );
    expect(await kafkaConfigs()).toMatch(/are producer_byte_rate=32768\.0$/);

    await manageQuota(connection, event('Delete', { ProducerByteRate: '32768' }));
    await eventually(async () =>
      expect(await describeClientQuotas(connection, [clientId])).toEqual(new Map()),
    );
    await eventually(async () => expect(await kafkaConfigs()).not.toContain('byte_rate'));
  });

  it('refuses a rate that is not a positive number, before touching the broker', async () => {
    await expect(manageQuota(connection, event('Create', { ProducerByteRate: 'lots' }))).rejects.toThrow(
      'ProducerByteRate must be a positive number, got lots',
    );
  });
});
