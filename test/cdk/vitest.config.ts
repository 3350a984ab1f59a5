// Runs only the CDK tests, without the shared broker and AWS emulator of test/global-setup.ts (they need
// neither): `npx vitest run -c test/cdk/vitest.config.ts`. `npm test` runs them with everything else.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: path.resolve(import.meta.dirname, '../..'),
  test: { include: ['test/cdk/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 600_000, maxWorkers: 2 },
});
