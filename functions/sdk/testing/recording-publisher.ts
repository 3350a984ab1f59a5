/** A RecordPublisher that keeps what a function produced, optionally passing it on to a real one. */
import type { OutgoingMessage } from '../output.ts';
import type { RecordPublisher } from '../producer.ts';

export interface PublishedMessage extends OutgoingMessage {
  topic: string;
}

export interface RecordingPublisher extends RecordPublisher {
  /** Every message published since the last `take()`, in order. */
  take(): PublishedMessage[];
  /** Make the next `publish` fail, as a broker that refuses the write would (OutputDeliveryError). */
  failNext(error: Error): void;
}

export function recordingPublisher(forward?: RecordPublisher): RecordingPublisher {
  let published: PublishedMessage[] = [];
  let failure: Error | undefined;
  return {
    async publish(batches) {
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      await forward?.publish(batches);
      for (const batch of batches)
        for (const message of batch.messages) published.push({ topic: batch.topic, ...message });
    },
    async close() {
      await forward?.close();
    },
    take() {
      const taken = published;
      published = [];
      return taken;
    },
    failNext(error) {
      failure = error;
    },
  };
}
