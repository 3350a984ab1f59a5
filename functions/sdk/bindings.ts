/**
 * Replacements for a function's connections to the outside world, installed by the testing kit
 * (`functions/sdk/testing`) and by `stratus invoke` just before they import a handler module, so that a handler
 * written as on Lambda (`export const handler = defineProcessor({ handler })`) produces into a recorder and
 * keeps idempotency records in memory. Handlers read them once, when they are defined (the cold start); on
 * Lambda and in `stratus dev` nothing is installed and the SDK uses Kafka and DynamoDB.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { RecordPublisher } from './producer.ts';

export interface SdkBindings {
  /** Where outputs and dead letters go instead of a Kafka producer. */
  publisher?: RecordPublisher;
  /** The Powertools idempotency store instead of DynamoDB. */
  persistenceStore?: BasePersistenceLayer;
}

// On globalThis rather than in this module: a test runner may load the SDK more than once.
const SLOT = Symbol.for('stratus.sdk.bindings');
type WithSlot = typeof globalThis & { [SLOT]?: SdkBindings };

/** Installs (or with `undefined`, removes) the bindings the next handler definitions pick up. */
export function installSdkBindings(bindings: SdkBindings | undefined): void {
  (globalThis as WithSlot)[SLOT] = bindings;
}

export function installedSdkBindings(): SdkBindings | undefined {
  return (globalThis as WithSlot)[SLOT];
}
