/**
 * The parts of the SDK a function may never use, loaded the first time they are needed: Powertools Idempotency
 * with the SDK's batching store (only when the manifest turns idempotency on) and the MSK IAM signer (only on
 * AWS, where the function authenticates with IAM).
 *
 * In a consumer bundle they are not inside index.js but in companion files beside it (built by
 * lib/aws/sdk-companions.ts; the asset carries them): V8 parses every byte of index.js at each cold start,
 * used or not, and these two were a quarter of the bundle. The bundling defines `STRATUS_SDK_COMPANIONS`
 * (lib/aws/consumer-bundling.ts), so esbuild drops the dynamic import's branch and with it the code.
 * Everywhere else (`stratus dev`, tests, tsx) the constant is undefined and a dynamic import loads the source.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** Defined (true) by the consumer bundling only; see the header. */
declare const STRATUS_SDK_COMPANIONS: boolean | undefined;

/** The companions' names in the asset, beside index.js. */
export const SDK_COMPANION_FILES = {
  idempotency: 'stratus-idempotency.cjs',
  mskIamSigner: 'stratus-msk-iam-signer.cjs',
} as const;

type IdempotencyModule = typeof import('./idempotency.ts');
type MskIamSignerModule = typeof import('aws-msk-iam-sasl-signer-js');

/** functions/sdk/idempotency.ts. */
export function loadIdempotency(): Promise<IdempotencyModule> {
  // Each call site tests the constant itself: esbuild drops a dead branch only where it sees the literal.
  return typeof STRATUS_SDK_COMPANIONS !== 'undefined'
    ? fromBesideBundle(SDK_COMPANION_FILES.idempotency, 'Powertools Idempotency')
    : import('./idempotency.ts');
}

/** aws-msk-iam-sasl-signer-js. */
export function loadMskIamSigner(): Promise<MskIamSignerModule> {
  return typeof STRATUS_SDK_COMPANIONS !== 'undefined'
    ? fromBesideBundle(SDK_COMPANION_FILES.mskIamSigner, 'The MSK IAM signer')
    : import('aws-msk-iam-sasl-signer-js');
}

/** Runs inside index.js only, where `__dirname` is the asset's directory. */
async function fromBesideBundle<T>(file: string, what: string): Promise<T> {
  const location = path.join(__dirname, file);
  try {
    // createRequire: a require() esbuild does not try to bundle.
    return createRequire(__filename)(location) as T;
  } catch (error) {
    throw new Error(
      `${what} is not in this function's asset: ${location} could not be loaded (${String((error as Error).message).split('\n')[0]}); Stratus bundles put it beside index.js — redeploy the tenant stack`,
    );
  }
}
