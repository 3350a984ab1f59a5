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

/**
 * The most bytes (key, value and headers) one record may carry. Kafka's `message.max.bytes` (1048588 by
 * default, which MSK keeps: https://docs.aws.amazon.com/msk/latest/developerguide/msk-default-configuration.html)
 * bounds each record batch a produce request carries per partition, and a batch over it fails at the broker
 * with MESSAGE_TOO_LARGE together with every other record of the request. Checked before sending, so an
 * oversized record is refused alone; the margin covers the batch and record framing.
 */
export const MAX_RECORD_BYTES = 1_000_000;

/**
 * The most bytes one produce request of a Stratus producer carries. All of a request's records may land on one
 * partition (same key), i.e. in one record batch, so the request stays within `message.max.bytes` too; larger
 * sends are split into several requests, acknowledged in order.
 */
export const MAX_REQUEST_BYTES = 1_000_000;

/** Framing of one record inside a record batch at most (varint lengths, attributes, deltas; Kafka's v2 format). */
export const RECORD_OVERHEAD_BYTES = 64;
