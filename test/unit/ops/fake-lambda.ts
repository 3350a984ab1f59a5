/**
 * A recorded fake of the three Lambda control-plane calls the AWS replay path makes — ListEventSourceMappings,
 * UpdateEventSourceMapping, GetEventSourceMapping — for an Amazon MSK event-source mapping. moto (the project's
 * AWS emulator) refuses MSK event sources ("Invalid EventSourceArn": it accepts SQS, DynamoDB and Kinesis only)
 * and flips a mapping's State at once, so it cannot show the Disabling → Disabled transition the code must wait
 * through. The responses below have the shape of the API reference's EventSourceMappingConfiguration
 * (https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html); they are written from
 * it, not captured from an account. State changes take `transitionPolls` Get calls, as on AWS where a Kafka
 * mapping spends a while in Disabling/Enabling.
 */
import {
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';

export interface FakeLambdaOptions {
  functionName: string;
  topic: string;
  /** @default 'Enabled' */
  state?: string;
  /** Get calls spent in Disabling/Enabling before the target state. @default 2 */
  transitionPolls?: number;
  /** Called on each UpdateEventSourceMapping, before the fake answers (tests look at the broker there). */
  onUpdate?: (enabled: boolean) => Promise<void> | void;
  /** More mappings of the function (other topics). */
  others?: EventSourceMappingConfiguration[];
}

export interface FakeLambda {
  client: LambdaClient;
  /** Every call, in order: `List`, `Update Enabled=false`, `Get → Disabling`, … */
  calls: string[];
  mapping: EventSourceMappingConfiguration;
}

export function fakeLambda(options: FakeLambdaOptions): FakeLambda {
  const uuid = 'a1b2c3d4-5678-90ab-cdef-1234567890ab';
  const mapping: EventSourceMappingConfiguration = {
    UUID: uuid,
    EventSourceMappingArn: `arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:${uuid}`,
    EventSourceArn:
      'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/8f3a2b1c-aaaa-bbbb-cccc-0123456789ab-2',
    FunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${options.functionName}`,
    Topics: [options.topic],
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: 100,
    MaximumBatchingWindowInSeconds: 1,
    AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'set-by-test' },
    State: options.state ?? 'Enabled',
    StateTransitionReason: 'USER_INITIATED',
    LastProcessingResult: 'OK',
  };
  const calls: string[] = [];
  let target: string | undefined;
  let pollsLeft = 0;
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof ListEventSourceMappingsCommand) {
      calls.push(`List FunctionName=${command.input.FunctionName}`);
      const all =
        command.input.FunctionName === options.functionName ? [mapping, ...(options.others ?? [])] : [];
      return { EventSourceMappings: all.map((m) => ({ ...m })) };
    }
    if (command instanceof UpdateEventSourceMappingCommand) {
      const enabled = command.input.Enabled === true;
      calls.push(`Update Enabled=${enabled}`);
      await options.onUpdate?.(enabled);
      target = enabled ? 'Enabled' : 'Disabled';
      pollsLeft = options.transitionPolls ?? 2;
      mapping.State = enabled ? 'Enabling' : 'Disabling';
      return { ...mapping };
    }
    if (command instanceof GetEventSourceMappingCommand) {
      if (target && pollsLeft-- <= 0) mapping.State = target;
      calls.push(`Get → ${mapping.State}`);
      return { ...mapping };
    }
    throw new Error(`the fake Lambda does not answer ${(command as object).constructor.name}`);
  };
  return { client: { send } as unknown as LambdaClient, calls, mapping };
}
