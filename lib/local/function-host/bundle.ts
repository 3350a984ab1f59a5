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
 * Code reached only through a dynamic `import()` goes to a chunk of its own (esbuild's code splitting), with the
 * packages it imports: otherwise esbuild hoists those imports to the top of the one file, and every execution
 * environment would load, at init, what the SDK loads lazily on Lambda — Powertools Idempotency with the AWS SDK's
 * DynamoDB client for a consumer without idempotency (~150 ms of a ~330 ms init, measured in a worker thread).
 * A bundle is therefore a directory, `<handler>-<digest>/`, holding `<handler>.mjs` and its chunks.
 *
 * A function whose topics have no quality rules gets the CEL evaluator's stand-in instead of the evaluator, as its
 * Lambda bundle does (lib/aws/consumer-bundling.ts): the SDK never builds a CEL environment then, and importing the
 * evaluator cost each execution environment ~40–100 ms of its init.
 *
 * A handler that does not build (a syntax error, an import of a file that is not there) is not loaded at all:
 * `BundleBuildError` carries esbuild's located problems, which each invocation then reports as its
 * Runtime.ImportModuleError — clearer than what a loader says of the same file (tsx, for a project without
 * `"type": "module"`, said "Cannot require() ES Module … in a cycle" of a handler whose SDK was missing).
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
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CEL_NOT_BUNDLED } from '../../aws/consumer-bundling.ts';
import {
  checkHandlerBuilds,
  formatHandlerBuildProblems,
  type HandlerBuildProblem,
  handlerBuildProblems,
} from '../../manifest/handler-build.ts';

/** Where this module is: under Stratus's own node_modules' parent. */
const STRATUS_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Bundles older than this are removed when a new one is written. */
const KEEP_MS = 24 * 60 * 60 * 1000;

export interface BundleModuleOptions {
  /**
   * Bundle the CEL evaluator: false when the function's topics have no quality rules (no
   * STRATUS_QUALITY_RULES_FILE), which puts the stand-in in its place.
   * @default true
   */
  celEvaluator?: boolean;
  /**
   * The project's root: problems are shown relative to it, and a missing handler SDK is recognised under it.
   * @default process.cwd()
   */
  rootDir?: string;
}

/** The module does not build; `message` is esbuild's problems, a located line each. */
export class BundleBuildError extends Error {
  override name = 'BundleBuildError';
  constructor(readonly problems: HandlerBuildProblem[]) {
    super(formatHandlerBuildProblems(problems));
  }
}

/**
 * Builds `entry` into an ESM bundle and returns its path, or undefined when it cannot be bundled here (no
 * node_modules above it nor above Stratus to resolve packages from: tsx loads it then). Rejects with
 * `BundleBuildError` when it does not build.
 */
export async function bundleModule(
  source: string,
  options: BundleModuleOptions = {},
): Promise<string | undefined> {
  // Where the file really is, as Node resolves it (symlinks followed): a project whose functions directory is
  // a link gets its packages from the node_modules beside the real sources, as tsx would load them.
  const entry = realPath(source);
  const rootDir = options.rootDir ?? process.cwd();
  // No node_modules above the handler (a project that imports the SDK by path): Stratus's own, where the SDK's
  // packages are. Loading such a handler through tsx instead read the file afresh in every new execution
  // environment — an edit that does not build reached the running version's next environment.
  const cache = cacheDirFor(entry) ?? cacheDirFor(STRATUS_DIR);
  if (!cache) {
    const problems = await checkHandlerBuilds(rootDir, entry);
    if (problems.length > 0) throw new BundleBuildError(problems);
    return undefined;
  }
  const stem = path.basename(entry).replace(/\.[^.]+$/, '');
  const alias: Record<string, string> =
    options.celEvaluator === false ? { '@marcbachmann/cel-js': CEL_NOT_BUNDLED } : {};
  let files: Array<{ name: string; text: string }>;
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      packages: 'external',
      alias,
      platform: 'node',
      format: 'esm',
      splitting: true,
      target: `node${process.versions.node.split('.')[0]}`,
      sourcemap: 'inline',
      // Source paths in the maps are relative to the output directory, which is at the depth of the bundle's
      // own directory: they stay right when the files are written there, and are absolute once Node resolves them.
      outdir: path.join(cache, stem),
      entryNames: '[name]',
      outExtension: { '.js': '.mjs' },
      write: false,
      logLevel: 'silent',
    });
    files = result.outputFiles.map((file) => ({ name: path.basename(file.path), text: file.text }));
  } catch (error) {
    throw new BundleBuildError(handlerBuildProblems(error, { rootDir, entry, workingDir: process.cwd() }));
  }
  // Named by content: concurrent builds of the same code (several consumers, test processes) share a directory,
  // and a directory is complete once it has its name.
  const digest = createHash('sha256');
  for (const file of files) digest.update(file.name).update('\0').update(file.text).update('\0');
  const dir = path.join(cache, `${stem}-${digest.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) {
    // In use again: not to be pruned as old.
    const now = new Date();
    utimesSync(dir, now, now);
  } else {
    const partial = `${dir}.${process.pid}.${Date.now()}.tmp`;
    mkdirSync(partial);
    for (const file of files) writeFileSync(path.join(partial, file.name), file.text);
    try {
      renameSync(partial, dir);
    } catch (error) {
      // Another process wrote the same bundle first: same content, keep theirs.
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    }
    prune(cache, dir);
  }
  return path.join(dir, `${stem}.mjs`);
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
      if (now - statSync(file).mtimeMs > KEEP_MS) rmSync(file, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another process.
    }
  }
}
