import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests share one broker and one AWS emulator, started once for the whole run.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: run files in parallel on both, but never more, so the broker keeps up.
    maxWorkers: 2,
    // This machine runs Node 20 on purpose; the AWS SDK's notice about future Node 22 builds is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
