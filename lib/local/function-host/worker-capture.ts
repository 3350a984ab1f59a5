/**
 * What an execution environment of `stratus invoke` adds (capture mode): outputs and dead letters recorded
 * (and produced only when asked), idempotency keys in memory for this one container, printed lines captured
 * per invocation. Loaded by worker.ts only in that mode.
 */
import { installSdkBindings } from '../../../functions/sdk/bindings.ts';
import { createKafkaPublisher } from '../../../functions/sdk/producer.ts';
import { captureLines } from '../../../functions/sdk/testing/captured-lines.ts';
import { InMemoryPersistenceLayer } from '../../../functions/sdk/testing/in-memory-persistence.ts';
import {
  type RecordingPublisher,
  recordingPublisher,
} from '../../../functions/sdk/testing/recording-publisher.ts';
import { readConsumerEnvironment } from '../../core/function-env.ts';

export { captureLines };

/** Installs the SDK bindings of capture mode before the handler module is imported; returns the recorder. */
export function installRecorder(produce: boolean): RecordingPublisher {
  const recorder = recordingPublisher(
    produce
      ? (() => {
          const env = readConsumerEnvironment(process.env);
          return createKafkaPublisher({
            clientId: env.functionName,
            brokers: env.kafkaBrokers,
            auth: env.kafkaAuth,
          });
        })()
      : undefined,
  );
  installSdkBindings({ publisher: recorder, persistenceStore: new InMemoryPersistenceLayer() });
  return recorder;
}
