/**
 * Files Stratus builds once for consumer function bundles (kafkajs without its consumer, Ajv as a separate
 * companion), kept in `node_modules/.cache/stratus/` of the installation they are built from and rebuilt only
 * when what they are built from changes. Synchronous, because constructs are.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** `node_modules/.cache/stratus/<name>` of the installation `pkg` resolves from. */
export function prebuiltFilePath(pkg: string, name: string): string {
  const nodeModules = path.dirname(path.dirname(require.resolve(`${pkg}/package.json`)));
  return path.join(nodeModules, '.cache', 'stratus', name);
}

/** A digest of the installed versions of `packages` and the contents of `files`. */
export function inputsDigest(packages: string[], files: string[]): string {
  const hash = createHash('sha256');
  for (const pkg of packages)
    hash
      .update(JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version)
      .update('\0');
  for (const file of files) hash.update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * Returns `file`, built first by `build` when it is missing or was built from inputs other than `digest` (kept
 * in `<file>.inputs`, written only after a build succeeded). `build` writes the path it is given, a temporary
 * file beside `file` that is renamed into place once built: a bundling that copies the file meanwhile never sees
 * half of it, and a failed build leaves nothing behind.
 */
export function ensurePrebuiltFile(file: string, digest: string, build: (outFile: string) => void): string {
  let recorded: string | undefined;
  try {
    recorded = readFileSync(`${file}.inputs`, 'utf8');
  } catch {
    recorded = undefined;
  }
  if (recorded !== digest || !existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      build(temporary);
      renameSync(temporary, file);
    } finally {
      rmSync(temporary, { force: true });
    }
    writeFileSync(`${file}.inputs`, digest);
  }
  return file;
}
