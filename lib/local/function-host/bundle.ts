/**
 * Handlers are bundled before their execution environments load them, as Lambda runs an esbuild bundle
 * (lib/aws/consumer-bundling.ts). Loading a TypeScript handler through tsx in every worker thread costs a
 * loader thread per worker and a resolve + transpile round trip per module of the SDK; an ESM bundle of the
 * project's own code loads with one file read, so a cold start is mostly the handler's own init.
 *
 * Packages stay external (resolved from node_modules at run time, as tsx resolves them), so native modules and
 * packages that read their own files behave as before, and a bundle builds in tens of milliseconds (a hot
 * reload rebuilds it). Bundles are written under `node_modules/.cache/stratus/functions/` of the project: from
 * there Node resolves the packages of that node_modules. Inline source maps keep stack traces pointing at the
 * handler's TypeScript source.
 *
 * A handler that does not build (a syntax error, a missing import) is loaded through tsx instead, so its error
 * reaches the invocation exactly as before (Runtime.ImportModuleError with the loader's message).
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** Bundles older than this are removed when a new one is written. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Builds `entry` into an ESM bundle and returns its path, or undefined when it cannot be bundled here (it
 * does not build, or no node_modules above it to resolve packages from).
 */
export async function bundleModule(source: string): Promise<string | undefined> {
  // Where the file really is, as Node resolves it (symlinks followed): a project whose functions directory is
  // a link gets its packages from the node_modules beside the real sources, as tsx would load them.
  const entry = realPath(source);
  const cache = cacheDirFor(entry);
  if (!cache) return undefined;
  let code: string;
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      sourcemap: 'inline',
      // Source paths in the map are relative to the bundle's directory: absolute once Node resolves them.
      outfile: path.join(cache, 'bundle.mjs'),
      write: false,
      logLevel: 'silent',
    });
    code = result.outputFiles[0]!.text;
  } catch {
    return undefined;
  }
  // Named by content: concurrent builds of the same code (several consumers, test processes) share a file,
  // and a file is complete once it has its name.
  const name = `${path.basename(entry).replace(/\.[^.]+$/, '')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
  const file = path.join(cache, name);
  if (existsSync(file)) {
    // In use again: not to be pruned as old.
    const now = new Date();
    utimesSync(file, now, now);
  } else {
    const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
    prune(cache, file);
  }
  return file;
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** `<nearest node_modules above entry>/.cache/stratus/functions`, created; undefined without node_modules. */
function cacheDirFor(entry: string): string | undefined {
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    const modules = path.join(dir, 'node_modules');
    if (existsSync(modules)) {
      const cache = path.join(modules, '.cache', 'stratus', 'functions');
      try {
        mkdirSync(cache, { recursive: true });
        return cache;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function prune(cache: string, keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(cache)) {
    const file = path.join(cache, name);
    if (file === keep) continue;
    try {
      if (now - statSync(file).mtimeMs > KEEP_MS) rmSync(file, { force: true });
    } catch {
      // Removed meanwhile by another process.
    }
  }
}
