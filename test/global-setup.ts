/**
 * One-time set-up for the whole test run. The local-runtime work adds the shared Kafka broker and AWS
 * emulator here, so every integration test file uses the same ones.
 */
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
