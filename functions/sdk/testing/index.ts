/**
 * The Stratus testing kit: run a manifest consumer's handler in a vitest test, with no broker and no AWS.
 *
 * ```ts
 * const orders = await loadConsumer({ tenant: 'payments', consumer: 'enrich-orders' });
 * const result = await orders.run([order, record(Buffer.from('{oops'), { key: 'ord-2' })]);
 * expect(result.outputs[0]?.value).toMatchObject({ orderId: 'ord-1' });
 * expect(result.deadLetters[0]?.reason).toBe('DECODE_ERROR');
 * ```
 *
 * See docs/handlers.md, "Testing your handler".
 */
export {
  type ConsumerHarness,
  type LoadConsumerOptions,
  loadConsumer,
  type RecordOptions,
  record,
  TestRecord,
} from './harness.ts';
export { InMemoryPersistenceLayer } from './in-memory-persistence.ts';
export type {
  DeadLetter,
  InvocationResult,
  LogLine,
  ProducedRecord,
  RecordCoordinates,
} from './invocation-result.ts';
export { type PublishedMessage, type RecordingPublisher, recordingPublisher } from './recording-publisher.ts';
