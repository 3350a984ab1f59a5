/**
 * Schema documents read from the working tree, from a git revision, or from a registry's text, each able to
 * load the sibling files its `$ref`s name (relative to its own path), from the same place.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SchemaDocument } from './schema-document.ts';

/** A schema file in the working tree (`file` relative to `rootDir`); undefined when missing or not JSON. */
export function schemaFromFile(rootDir: string, file: string): SchemaDocument | undefined {
  const absolute = path.resolve(rootDir, file);
  if (!existsSync(absolute)) return undefined;
  return parseDocument(readFileSync(absolute, 'utf8'), file, (ref) =>
    schemaFromFile(rootDir, sibling(file, ref)),
  );
}

/** The same file as it was at a git revision; undefined when it did not exist there. */
export function schemaAtRevision(
  rootDir: string,
  revision: string,
  file: string,
): SchemaDocument | undefined {
  const text = gitShow(rootDir, revision, file);
  if (text === undefined) return undefined;
  return parseDocument(text, `${file}@${revision}`, (ref) =>
    schemaAtRevision(rootDir, revision, sibling(file, ref)),
  );
}

/** A registry version's text; its `$ref`s to files resolve against the working tree's copy of `file`. */
export function schemaFromText(
  text: string,
  label: string,
  rootDir: string,
  file: string,
): SchemaDocument | undefined {
  return parseDocument(text, label, (ref) => schemaFromFile(rootDir, sibling(file, ref)));
}

function parseDocument(
  text: string,
  label: string,
  load: SchemaDocument['load'],
): SchemaDocument | undefined {
  try {
    return { schema: JSON.parse(text), file: label, load };
  } catch {
    return undefined;
  }
}

function sibling(file: string, ref: string): string {
  return path.posix.join(path.posix.dirname(file.replaceAll('\\', '/')), ref);
}

function gitShow(rootDir: string, revision: string, file: string): string | undefined {
  try {
    return execFileSync('git', ['show', `${revision}:${path.posix.normalize(file.replaceAll('\\', '/'))}`], {
      cwd: rootDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
}

/** Why there is no git base to compare with, or the base revision. */
export type GitBase = { ok: true; revision: string; label: string } | { ok: false; reason: string };

/**
 * The revision `stratus schema check` compares with: `against` when given, else the merge base of HEAD with
 * `main` (or `origin/main`). Not a git repository, no commits or no main branch are reasons, not errors.
 */
export function gitBase(rootDir: string, against?: string): GitBase {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, {
        cwd: rootDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return undefined;
    }
  };
  if (git('rev-parse', '--is-inside-work-tree') !== 'true')
    return { ok: false, reason: 'not a git repository' };
  if (against !== undefined) {
    const revision = git('rev-parse', '--verify', '--quiet', `${against}^{commit}`);
    return revision
      ? { ok: true, revision, label: against }
      : { ok: false, reason: `unknown git revision "${against}"` };
  }
  if (!git('rev-parse', '--verify', '--quiet', 'HEAD'))
    return { ok: false, reason: 'the repository has no commits yet' };
  for (const branch of ['main', 'origin/main']) {
    if (!git('rev-parse', '--verify', '--quiet', branch)) continue;
    const base = git('merge-base', 'HEAD', branch);
    if (base) return { ok: true, revision: base, label: `merge base with ${branch} (${base.slice(0, 10)})` };
  }
  return { ok: false, reason: 'no main branch to take a merge base with' };
}
