/**
 * A consumer function and its event-source mapping on moto, for the AWS replay path. moto refuses Amazon MSK
 * event sources (CreateEventSourceMapping answers "Invalid EventSourceArn" for anything but SQS, DynamoDB
 * streams and Kinesis), so the mapping is created on an SQS queue and carries the consumer's Kafka topic in
 * `Topics`, which moto stores and returns: List/Update/GetEventSourceMapping then behave as for any mapping.
 * IAM and SQS are called over plain HTTP (moto does not check signatures), which saves two SDK packages.
 */
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';

const authorization = (service: string, region: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20261124/${region}/${service}/aws4_request, SignedHeaders=host, Signature=test`;

export async function createMotoMapping(
  lambda: LambdaClient,
  options: { endpoint: string; region: string; functionName: string; topic: string },
): Promise<{ uuid: string }> {
  const role = await fetch(options.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: authorization('iam', 'us-east-1'),
    },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: options.functionName,
      AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
    }),
  });
  const roleArn = /<Arn>(.*?)<\/Arn>/.exec(await role.text())?.[1];
  if (!roleArn) throw new Error('moto did not create the role');
  const queue = await fetch(options.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.CreateQueue',
      authorization: authorization('sqs', options.region),
    },
    body: JSON.stringify({ QueueName: options.functionName }),
  });
  if (!queue.ok) throw new Error(`moto did not create the queue: ${await queue.text()}`);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: options.functionName,
      Runtime: 'nodejs22.x',
      Role: roleArn,
      Handler: 'index.handler',
      // An empty zip: moto stores the code and never runs it (it would need Docker).
      Code: { ZipFile: Buffer.from('504b0506000000000000000000000000000000000000', 'hex') },
    }),
  );
  const mapping = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: options.functionName,
      EventSourceArn: `arn:aws:sqs:${options.region}:123456789012:${options.functionName}`,
      Topics: [options.topic],
      BatchSize: 10,
    }),
  );
  return { uuid: mapping.UUID ?? '' };
}
