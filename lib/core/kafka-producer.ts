import { Partitioners, type ProducerConfig } from 'kafkajs';

/**
 * How every Stratus producer is configured (the handler SDK, `stratus produce`, the demo, benchmarks), so a
 * record lands on the same partition and in the same order whichever of them wrote it.
 */
export const PRODUCER_CONFIG: ProducerConfig = {
  idempotent: true,
  // kafkajs requires a single in-flight request for an idempotent producer to keep ordering.
  maxInFlightRequests: 1,
  // The Java client's murmur2 partitioner: the same key lands on the same partition as with any other client.
  createPartitioner: Partitioners.DefaultPartitioner,
  // Topics come from the manifests; a typo must fail, not create a topic.
  allowAutoTopicCreation: false,
};
