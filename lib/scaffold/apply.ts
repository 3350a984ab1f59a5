/**
 * Validates planned changes with the real manifest validator before writing them: the changes are laid over
 * the project in a scratch directory (changed paths are real files, everything else symlinks to the project),
 * and `loadStratus` runs there. Only problems the changes introduce block them, so a project that already has
 * an invalid manifest elsewhere can still scaffold.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatManifestError, loadStratus, type ManifestError } from '../manifest/index.ts';
import { ScaffoldConflictError } from './operations.ts';
import type { FileChange } from './project.ts';

export class ScaffoldValidationError extends Error {
  override name = 'ScaffoldValidationError';
  constructor(readonly problems: ManifestError[]) {
    super(
      `the result would not validate, so nothing was written:\n${problems.map(formatManifestError).join('\n')}`,
    );
  }
}

/** Problems the changes would add to `stratus validate`'s list. */
export function validateChanges(
  rootDir: string,
  configFile: string | undefined,
  changes: FileChange[],
): ManifestError[] {
  const baseline = new Set(loadStratus({ rootDir, configFile }).errors.map(formatManifestError));
  const overlay = mkdtempSync(path.join(os.tmpdir(), 'stratus-new-'));
  try {
    layOver(
      rootDir,
      overlay,
      changes.map((change) => ({ parts: change.file.split('/'), content: change.after })),
    );
    const { errors } = loadStratus({ rootDir: overlay, configFile });
    return errors.filter((error) => !baseline.has(formatManifestError(error)));
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
}

function layOver(source: string, target: string, files: Array<{ parts: string[]; content: string }>): void {
  const here = new Map<string, Array<{ parts: string[]; content: string }>>();
  for (const file of files) {
    const [head, ...rest] = file.parts;
    here.set(head!, [...(here.get(head!) ?? []), { parts: rest, content: file.content }]);
  }
  const entries = existsSync(source) ? readdirSync(source) : [];
  for (const name of new Set([...entries, ...here.keys()])) {
    const inside = here.get(name);
    const to = path.join(target, name);
    if (!inside) {
      symlinkSync(path.join(source, name), to);
    } else if (inside.some((file) => file.parts.length === 0)) {
      writeFileSync(to, inside.find((file) => file.parts.length === 0)!.content);
    } else {
      mkdirSync(to);
      layOver(path.join(source, name), to, inside);
    }
  }
}

/** Refuses to overwrite, validates, then writes every change. */
export function applyChanges(rootDir: string, configFile: string | undefined, changes: FileChange[]): void {
  for (const change of changes)
    if (change.before === undefined && existsSync(path.join(rootDir, change.file)))
      throw new ScaffoldConflictError(`${change.file} already exists; stratus new never overwrites a file`);
  const problems = validateChanges(rootDir, configFile, changes);
  if (problems.length > 0) throw new ScaffoldValidationError(problems);
  for (const change of changes) {
    const absolute = path.join(rootDir, change.file);
    mkdirSync(path.dirname(absolute), { recursive: true });
    writeFileSync(absolute, change.after, { flag: change.before === undefined ? 'wx' : 'w' });
  }
}
