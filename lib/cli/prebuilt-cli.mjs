// The CLI as one prebuilt ES module. Loading lib/ through tsx costs about 1.1 s per command on a 2-core machine:
// hundreds of TypeScript modules, and tsx's loader hooks (a separate thread) consulted for every module the
// packages load as well. The same sources bundled by esbuild load in about 0.6 s with no hooks at all, and
// `stratus dev` reaches its first record that much sooner. Plain JavaScript: it runs before tsx is registered.
//
// The bundle lives under node_modules/.cache (packages stay external and resolve from node_modules, as they did)
// and is rebuilt whenever one of its inputs changed (mtime or size), so editing lib/ needs no build step. Each
// source module's import.meta.url / dirname / filename is replaced by its own location, so every path computed
// from them (jars, Python scripts, the worker bootstrap, package.json) is the same as when loaded through tsx.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bump when the bundling below changes, so older bundles are rebuilt. */
const FORMAT = 1;

/**
 * Imports the bundle of `entry` (a path under `root`) at `outFile`, building it first when it is missing or
 * stale.
 * @returns the module's namespace and whether it was (re)built.
 */
export async function importPrebuilt({ root, entry, outFile }) {
  const inputsFile = `${outFile}.inputs.json`;
  // esbuild's version from its package.json: loading its API only to ask would cost every command ~50 ms.
  const esbuildVersion = createRequire(import.meta.url)('esbuild/package.json').version;
  const fresh = existsSync(outFile) && isFresh(inputsFile, esbuildVersion);
  if (!fresh) await build(await import('esbuild'), root, entry, outFile, inputsFile);
  return { module: await import(pathToFileURL(outFile).href), built: !fresh };
}

/** The inputs recorded at the last build are all unchanged. */
function isFresh(inputsFile, esbuildVersion) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(inputsFile, 'utf8'));
  } catch {
    return false;
  }
  if (recorded.format !== FORMAT || recorded.esbuild !== esbuildVersion) return false;
  return Object.entries(recorded.inputs).every(([file, [mtimeMs, size]]) => {
    try {
      const stat = statSync(file);
      return stat.mtimeMs === mtimeMs && stat.size === size;
    } catch {
      return false;
    }
  });
}

async function build(esbuild, root, entry, outFile, inputsFile) {
  const started = Date.now();
  mkdirSync(path.dirname(outFile), { recursive: true });
  // Another process may be building too: each writes its own files and renames them into place.
  const partial = `${outFile}.${process.pid}.tmp.mjs`;
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: partial,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [keepImportMeta],
  });
  renameSync(`${partial}.map`, `${outFile}.map`);
  // The map is named after the partial file; point the bundle at its final name.
  const code = readFileSync(partial, 'utf8').replace(
    /\/\/# sourceMappingURL=.*$/m,
    `//# sourceMappingURL=${path.basename(outFile)}.map`,
  );
  writeFileSync(partial, code);
  renameSync(partial, outFile);

  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(root, input);
    const stat = statSync(file);
    // Edited while esbuild read it: record nothing, so the next start builds again.
    if (stat.mtimeMs >= started) return;
    inputs[file] = [stat.mtimeMs, stat.size];
  }
  const partialInputs = `${inputsFile}.${process.pid}.tmp`;
  writeFileSync(partialInputs, JSON.stringify({ format: FORMAT, esbuild: esbuild.version, inputs }));
  renameSync(partialInputs, inputsFile);
}

/** Gives each source module its own import.meta location instead of the bundle's. */
const keepImportMeta = {
  name: 'keep-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(?:ts|mts|js|mjs)$/ }, async ({ path: file }) => {
      const text = await readFile(file, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      return {
        contents: text
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href))
          .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
          .replaceAll('import.meta.filename', JSON.stringify(file)),
        loader: /\.m?ts$/.test(file) ? 'ts' : 'js',
      };
    });
  },
};
