import type { KafkaClient } from '@aws-sdk/client-kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { ObservabilityServer } from '../../../lib/local/observability/server.ts';
import {
  awsConsumerControl,
  type ControllableConsumer,
  consumerControlRoutes,
  localConsumerControl,
} from '../../../lib/ops/consumer-control.ts';
import { mskBrokersOfMapping } from '../../../lib/ops/replay/aws-brokers.ts';
import { fakeLambda } from './fake-lambda.ts';

const functionName = 'stratus-payments-enrich-orders';
const topic = 'payments.orders';
const noWait = async () => {};

describe('AWS consumer control (recorded fake of the Lambda API)', () => {
  it('disables the mapping and waits through Disabling; resume enables and waits through Enabling', async () => {
    const lambda = fakeLambda({ functionName, topic, transitionPolls: 2 });
    const control = awsConsumerControl({ lambda: lambda.client, functionName, topic, sleep: noWait });
    const paused = await control.pause();
    expect(paused.note).toBe(`disabled event-source mapping ${lambda.mapping.UUID} of ${functionName}`);
    expect(lambda.calls).toEqual([
      `List FunctionName=${functionName}`,
      'Update Enabled=false',
      'Get → Disabling',
      'Get → Disabling',
      'Get → Disabled',
    ]);
    await paused.resume();
    expect(lambda.calls.slice(5)).toEqual([
      'Update Enabled=true',
      'Get → Enabling',
      'Get → Enabling',
      'Get → Enabled',
    ]);
  });

  it('leaves an already disabled mapping disabled', async () => {
    const lambda = fakeLambda({ functionName, topic, state: 'Disabled' });
    const paused = await awsConsumerControl({
      lambda: lambda.client,
      functionName,
      topic,
      sleep: noWait,
    }).pause();
    await paused.resume();
    expect(paused.note).toContain('was already disabled; left disabled');
    expect(lambda.calls).toEqual([`List FunctionName=${functionName}`]);
  });

  it('refuses a mapping in transition, and changes nothing', async () => {
    const lambda = fakeLambda({ functionName, topic, state: 'Updating' });
    await expect(
      awsConsumerControl({ lambda: lambda.client, functionName, topic, sleep: noWait }).pause(),
    ).rejects.toThrow(/is Updating; wait until it is Enabled or Disabled\. Nothing was changed/);
    expect(lambda.calls).toEqual([`List FunctionName=${functionName}`]);
  });

  it('names the topics the function does read when none is the consumer topic', async () => {
    const lambda = fakeLambda({ functionName, topic: 'payments.refunds' });
    await expect(
      awsConsumerControl({ lambda: lambda.client, functionName, topic, sleep: noWait }).pause(),
    ).rejects.toThrow(
      `function ${functionName} has no event-source mapping for topic ${topic} (its mappings read: payments.refunds)`,
    );
  });

  it('gives up after maxPolls with the state it is stuck in', async () => {
    const lambda = fakeLambda({ functionName, topic, transitionPolls: 100 });
    await expect(
      awsConsumerControl({ lambda: lambda.client, functionName, topic, sleep: noWait, maxPolls: 3 }).pause(),
    ).rejects.toThrow(/is still Disabling after 3 checks \(waiting for Disabled\)/);
  });

  it('finds the IAM bootstrap brokers of the mapping cluster', async () => {
    const lambda = fakeLambda({ functionName, topic });
    const asked: string[] = [];
    const kafkaControl = {
      send: async (command: { input: { ClusterArn: string } }) => {
        asked.push(command.input.ClusterArn);
        return {
          BootstrapBrokerStringSaslIam:
            'b-1.stratus.x.kafka.eu-west-1.amazonaws.com:9098,b-2.stratus.x.kafka.eu-west-1.amazonaws.com:9098',
        };
      },
    } as unknown as KafkaClient;
    expect(await mskBrokersOfMapping(kafkaControl, lambda.mapping)).toEqual([
      'b-1.stratus.x.kafka.eu-west-1.amazonaws.com:9098',
      'b-2.stratus.x.kafka.eu-west-1.amazonaws.com:9098',
    ]);
    expect(asked).toEqual([lambda.mapping.EventSourceArn]);
  });
});

describe('local consumer control (the `stratus dev` control routes)', () => {
  let server: ObservabilityServer | undefined;
  afterEach(() => server?.close());

  /** The runtime's server with its control routes, as `stratus dev` mounts them; returns its URL and token. */
  const serve = async (lookup: (groupId: string) => ControllableConsumer | undefined) => {
    server = await ObservabilityServer.start({ port: 0 });
    server.use(consumerControlRoutes(lookup));
    return { url: server.url, token: server.controlToken };
  };
  const control = (url: string, token?: string) =>
    localConsumerControl({
      groupId: 'payments.enrich-orders',
      runtimeUrl: url,
      token,
      tokenFile: '.stratus/control-token',
    });

  it('pauses and resumes the consumer the runtime runs under that group id', async () => {
    const events: string[] = [];
    const { url, token } = await serve((groupId) =>
      groupId === 'payments.enrich-orders'
        ? { pause: async () => void events.push('pause'), resume: async () => void events.push('resume') }
        : undefined,
    );
    const paused = await control(url, token).pause();
    expect(paused.note).toBe(`paused payments.enrich-orders in \`stratus dev\` (pid ${process.pid})`);
    await paused.resume();
    expect(events).toEqual(['pause', 'resume']);
  });

  it('a runtime that refuses the token is an error that names the token file; nothing is paused', async () => {
    const events: string[] = [];
    const { url } = await serve(() => ({
      pause: async () => void events.push('pause'),
      resume: async () => void events.push('resume'),
    }));
    await expect(control(url).pause()).rejects.toThrow(
      /refused the control request \(HTTP 401: .*\); no control token in \.stratus\/control-token: .*Nothing was changed/,
    );
    await expect(control(url, 'stale-token').pause()).rejects.toThrow(
      /refused the control request \(HTTP 401: .*\); the token in \.stratus\/control-token is not this runtime's/,
    );
    expect(events).toEqual([]);
  });

  it('a runtime that does not run the consumer, or no runtime at all, pauses nothing', async () => {
    const { url, token } = await serve(() => undefined);
    const other = await control(url, token).pause();
    expect(other.note).toContain('does not run payments.enrich-orders');
    await server?.close();
    server = undefined;
    const none = await control(url, token).pause();
    expect(none.note).toContain('no `stratus dev` runtime answers');
  });

  it('a pause that fails in the runtime is an error that says nothing was changed', async () => {
    const { url, token } = await serve(() => ({
      pause: async () => {
        throw new Error('broker unreachable');
      },
      resume: async () => {},
    }));
    await expect(control(url, token).pause()).rejects.toThrow(
      /could not be paused \(HTTP 500: .*broker unreachable.*\); nothing was changed/,
    );
  });
});
