/**
 * The AWS replay path: disable the consumer's event-source mapping, wait for Disabled, reset the group's
 * offsets, enable again. The Kafka part runs against the real local broker (PLAINTEXT here; MSK IAM on AWS).
 * The Lambda calls go to moto where it can take them (an SQS-backed stand-in mapping, see moto-lambda.ts), and
 * to a recorded fake of the Lambda API (test/unit/ops/fake-lambda.ts) for what moto cannot show: an MSK
 * mapping and the Disabling → Disabled wait.
 */
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { consumerFunctionName } from '../../../lib/core/naming.ts';
import { awsConsumerControl } from '../../../lib/ops/consumer-control.ts';
import { replayLiveGroup } from '../../../lib/ops/replay/run.ts';
import { TEST_REGION, testServices } from '../../support/services.ts';
import { fakeLambda } from '../../unit/ops/fake-lambda.ts';
import { runCli } from './cli.ts';
import { createMotoMapping } from './moto-lambda.ts';
import { createOpsProject, type OpsProject } from './project.ts';
import { consumeUntilCaughtUp } from './stand-in-consumer.ts';

const RECORDS = 200;
const base = Date.now() - 60 * 60 * 1000;
const timeOf = (i: number) => new Date(base + i * 1000);
const { kafka, brokers, aws, awsEndpoint } = testServices();
const client = kafka('replay-aws');

async function committed(groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = client.admin();
  await admin.connect();
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

async function processedProject(): Promise<OpsProject> {
  const project = await createOpsProject(client, brokers);
  const consumer = project.tenant.consumers[0]!;
  const producer = client.producer({ idempotent: true });
  await producer.connect();
  await producer.send({
    topic: consumer.topic,
    messages: Array.from({ length: RECORDS }, (_, i) => ({
      key: `k-${i}`,
      value: String(i),
      timestamp: String(timeOf(i).getTime()),
    })),
  });
  await producer.disconnect();
  await consumeUntilCaughtUp(client, { groupId: consumer.groupId, topic: consumer.topic });
  return project;
}

describe('stratus replay --aws', () => {
  let project: OpsProject;
  beforeAll(async () => {
    project = await processedProject();
  });

  it('disables the mapping on the emulator, resets the group, enables it again', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', awsEndpoint);
    const consumer = project.tenant.consumers[0]!;
    const functionName = consumerFunctionName(project.tenant.name, consumer.key);
    const lambda = new LambdaClient(aws);
    const { uuid } = await createMotoMapping(lambda, {
      endpoint: awsEndpoint,
      region: TEST_REGION,
      functionName,
      topic: consumer.topic,
    });
    const before = await committed(consumer.groupId, consumer.topic);

    const result = await runCli(
      project,
      [
        'replay',
        '--aws',
        '--region',
        TEST_REGION,
        '--tenant',
        project.tenant.name,
        '--consumer',
        'enrich',
        '--from',
        timeOf(150).toISOString(),
        '--yes',
      ],
      // On AWS the brokers come from the mapping's MSK cluster (GetBootstrapBrokers, which moto lacks).
      ['--brokers', brokers.join(','), '--kafka-auth', 'plaintext'],
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('— on AWS');
    expect(result.out).toContain(`disabled event-source mapping ${uuid} of ${functionName}.`);
    expect(result.out).toContain('50 records will be processed again.');

    const after = await committed(consumer.groupId, consumer.topic);
    const moved = Object.keys(before).filter((p) => before[Number(p)] !== after[Number(p)]);
    expect(moved.length).toBeGreaterThan(0);
    const rewound = Object.keys(before).reduce(
      (sum, p) => sum + Number(before[Number(p)]) - Number(after[Number(p)]),
      0,
    );
    expect(rewound).toBe(50);
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State).toBe('Enabled');
  });

  it('with an MSK mapping (recorded fake): offsets change only between Disabled and the re-enable', async () => {
    const other = await processedProject();
    const consumer = other.tenant.consumers[0]!;
    const functionName = consumerFunctionName(other.tenant.name, consumer.key);
    const original = await committed(consumer.groupId, consumer.topic);
    const seenAtUpdate: Array<{ enabled: boolean; offsets: Record<number, string> }> = [];
    const lambda = fakeLambda({
      functionName,
      topic: consumer.topic,
      transitionPolls: 2,
      onUpdate: async (enabled) => {
        seenAtUpdate.push({ enabled, offsets: await committed(consumer.groupId, consumer.topic) });
      },
    });
    const outcome = await replayLiveGroup({
      kafka: client,
      consumer,
      window: { from: timeOf(100) },
      control: awsConsumerControl({
        lambda: lambda.client,
        functionName,
        topic: consumer.topic,
        sleep: async () => {},
      }),
      confirm: async () => true,
    });
    expect(outcome.status).toBe('applied');
    expect(lambda.calls).toEqual([
      `List FunctionName=${functionName}`,
      'Update Enabled=false',
      'Get → Disabling',
      'Get → Disabling',
      'Get → Disabled',
      'Update Enabled=true',
      'Get → Enabling',
      'Get → Enabling',
      'Get → Enabled',
    ]);
    const targets = Object.fromEntries(
      outcome.status === 'applied' ? outcome.applied.partitions.map((p) => [p.partition, p.target]) : [],
    );
    expect(seenAtUpdate).toEqual([
      { enabled: false, offsets: original },
      { enabled: true, offsets: targets },
    ]);
  });
});
