import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import { testServices, uniqueName } from '../../support/services.ts';

describe('shared test services', () => {
  it('the embedded Kafka broker accepts topics, produces and consumes with a group', async () => {
    const { kafka } = testServices();
    const client = kafka();
    const topic = uniqueName('svc');
    const admin = client.admin();
    await admin.connect();
    await createTopicsReadable(admin, [{ topic, numPartitions: 2 }]);
    const producer = client.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k', value: 'v1' },
        { key: 'k', value: 'v2' },
      ],
    });
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(2);
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('the AWS emulator answers DynamoDB calls', async () => {
    const { aws } = testServices();
    const result = await new DynamoDBClient(aws).send(new ListTablesCommand({}));
    expect(result.$metadata.httpStatusCode).toBe(200);
  });
});
