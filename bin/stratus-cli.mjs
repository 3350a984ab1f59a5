#!/usr/bin/env node
// The `stratus` command. Sources are TypeScript; tsx compiles them on load so the CLI, the CDK app and the
// tests all run the same files with no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on Node 20 about releases from 2027 on; Stratus pins its SDK versions, so say nothing.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../lib/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A command that returned is done: whatever a client left behind (a reconnect timer of a broker that is gone)
// must not keep the process alive. The timer does not hold the process open by itself.
setTimeout(() => process.exit(code), 1_000).unref();
