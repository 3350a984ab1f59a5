#!/usr/bin/env node
// The `stratus` command. Sources are TypeScript with no build step: the CLI runs from a bundle of lib/ that is
// rebuilt whenever a source changed (lib/cli/prebuilt-cli.mjs), else through tsx, which compiles on load.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The AWS SDK warns on Node 20 about releases from 2027 on; Stratus pins its SDK versions, so say nothing.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const main = await loadMain();
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A command that returned is done: whatever a client left behind (a reconnect timer of a broker that is gone)
// must not keep the process alive. The timer does not hold the process open by itself.
setTimeout(() => process.exit(code), 1_000).unref();

async function loadMain() {
  if (process.env.STRATUS_CLI_BUNDLE !== 'off') {
    try {
      // The bundle has a source map: NODE_OPTIONS=--enable-source-maps makes stack traces name the sources
      // (not on by default: reading the maps would cost every command ~70 ms).
      const { importPrebuilt } = await import('../lib/cli/prebuilt-cli.mjs');
      const { module } = await importPrebuilt({
        root: ROOT,
        entry: 'lib/cli/main.ts',
        outFile: path.join(ROOT, 'node_modules', '.cache', 'stratus', 'cli.mjs'),
      });
      return module.main;
    } catch (error) {
      // No esbuild, a read-only tree: the sources load through tsx as they always could (a source that does not
      // build fails there too, with tsx's message).
      if (process.env.STRATUS_DEBUG)
        console.error('stratus: CLI bundle unavailable, loading through tsx:', error);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../lib/cli/main.ts')).main;
}
