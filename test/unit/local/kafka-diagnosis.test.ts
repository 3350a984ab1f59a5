/** The likely cause of a failed broker start, from log lines Kafka 4.3 printed on this machine. */
import { describe, expect, it } from 'vitest';
import { diagnoseBrokerFailure } from '../../../lib/local/kafka-diagnosis.ts';

const context = { port: 46231, controllerPort: 46232, heapMb: 512 };

describe('diagnoseBrokerFailure', () => {
  it('a port taken by another process', () => {
    const log = [
      'Caused by: org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:46231: Address already in use.',
      'Caused by: java.net.BindException: Address already in use',
    ].join('\n');
    expect(diagnoseBrokerFailure(log, context)).toEqual({
      kind: 'port',
      cause: expect.stringContaining('port 46231'),
    });
  });

  it('a storage directory formatted for another node', () => {
    const log =
      "java.lang.RuntimeException: Stored node id 7 doesn't match previous node id 1 in /tmp/x/data/meta.properties. If you moved your data, make sure your configured node id matches.";
    const diagnosis = diagnoseBrokerFailure(log, context);
    expect(diagnosis.kind).toBe('storage');
    expect(diagnosis.cause).toContain('stratus dev --reset');
  });

  it('not enough memory for the heap', () => {
    const log =
      'Error occurred during initialization of VM\nCould not reserve enough space for 524288KB object heap';
    expect(diagnoseBrokerFailure(log, context)).toMatchObject({
      kind: 'memory',
      cause: expect.stringContaining('512 MiB'),
    });
  });

  it('says so when the log shows nothing it knows', () => {
    expect(diagnoseBrokerFailure('[2026-11-30] INFO starting', context).kind).toBe('unknown');
  });
});
