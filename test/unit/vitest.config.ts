// Runs only the unit tests, without the shared broker and AWS emulator of test/global-setup.ts (they need
// neither): `npm run test:unit`, or `npm run test:unit -- test/unit/tenants/<tenant>` for one team's handlers.
// `npm test` runs them with everything else.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: path.resolve(import.meta.dirname, '../..'),
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
