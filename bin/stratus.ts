/**
 * The CDK app (`cdk.json`): `Stratus-Platform` and one `Stratus-Tenant-<name>` per manifest.
 *   npx cdk synth                       every stack into cdk.out
 *   npx cdk synth -c tenants=payments   the platform and only the listed tenants' stacks
 *   npx cdk deploy Stratus-Tenant-payments
 * Context `nag=false` skips the cdk-nag checks.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { addStratusStacks } from '../lib/aws/app.ts';
import { ManifestValidationError } from '../lib/manifest/errors.ts';
import { loadStratusOrThrow } from '../lib/manifest/load.ts';

const app = new App();
const rootDir =
  (app.node.tryGetContext('stratus:root') as string | undefined) ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const list = (value: unknown): string[] | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
    : undefined;
const only = list(app.node.tryGetContext('tenants'));

try {
  const spec = loadStratusOrThrow({ rootDir });
  // Validates the names given in -c tenants=… (unknown tenants are an error with a "did you mean").
  if (only) loadStratusOrThrow({ rootDir, only });
  addStratusStacks(app, spec, { tenants: only, nag: app.node.tryGetContext('nag') !== 'false' });
  app.synth();
} catch (error) {
  // Manifest problems (file:line:col  field  message) and construct validation errors (which name the prop)
  // are the user's to fix: print the message, not a stack trace. STRATUS_DEBUG=1 shows the trace.
  if (error instanceof Error && !process.env.STRATUS_DEBUG) {
    console.error(error instanceof ManifestValidationError ? error.message : `Error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
