/**
 * Whether a handler builds, as the Lambda bundle and the local execution environments build it (esbuild, packages
 * external): a syntax error or an import that resolves to no file is found here with its file:line, before a
 * deployment's synth or every local invocation fails on it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build, type Message } from 'esbuild';
import { PROJECT_LAYOUT } from './project-layout.ts';

/** One reason a handler does not build, located in the file where esbuild found it. */
export interface HandlerBuildProblem {
  /** Relative to the project root when inside it. */
  file: string;
  line: number;
  col: number;
  message: string;
}

/**
 * The problems of a failed esbuild build of `entry` run in `workingDir` (esbuild's locations are relative to it);
 * an error that is not esbuild's becomes one problem at `entry`.
 */
export function handlerBuildProblems(
  error: unknown,
  where: { rootDir: string; entry: string; workingDir: string },
): HandlerBuildProblem[] {
  const { rootDir, entry } = where;
  const messages = (error as { errors?: Message[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0)
    return [{ file: shown(rootDir, entry), line: 1, col: 1, message: String((error as Error).message) }];
  return messages.map((message) => {
    const file = message.location?.file ? path.resolve(where.workingDir, message.location.file) : entry;
    return {
      file: shown(rootDir, file),
      line: message.location?.line ?? 1,
      col: (message.location?.column ?? 0) + 1,
      message: `${message.text}${hintFor(message.text, file, rootDir)}`,
    };
  });
}

/** The problems as one message, a line each (`file:line:col: message`). */
export function formatHandlerBuildProblems(problems: readonly HandlerBuildProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n');
}

/** Builds `handlerFile` (relative to `rootDir`) without writing anything; [] when it builds. */
export async function checkHandlerBuilds(
  rootDir: string,
  handlerFile: string,
): Promise<HandlerBuildProblem[]> {
  const entry = path.resolve(rootDir, handlerFile);
  try {
    await build({
      entryPoints: [entry],
      absWorkingDir: rootDir,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    return [];
  } catch (error) {
    return handlerBuildProblems(error, { rootDir, entry, workingDir: rootDir });
  }
}

/**
 * The SDK missing is not the handler's mistake but the project's: a directory that is not a checkout of the
 * Stratus repository (where functions/sdk/ and the node_modules it needs are).
 */
function hintFor(text: string, importer: string, rootDir: string): string {
  const unresolved = /^Could not resolve "(\.{1,2}\/[^"]*)"/.exec(text)?.[1];
  if (!unresolved) return '';
  const sdk = path.resolve(rootDir, PROJECT_LAYOUT.sdk);
  if (existsSync(sdk)) return '';
  const target = path.resolve(path.dirname(importer), unresolved);
  const sdkDir = path.dirname(sdk);
  if (target !== sdkDir && !target.startsWith(`${sdkDir}${path.sep}`)) return '';
  return ` (the handler SDK, ${path.dirname(PROJECT_LAYOUT.sdk)}/, is not in ${rootDir}: tenants live in a checkout of the Stratus repository, after npm install there; see docs/getting-started.md)`;
}

function shown(rootDir: string, file: string): string {
  const relative = path.relative(rootDir, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
