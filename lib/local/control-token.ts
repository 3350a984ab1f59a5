/**
 * The runtime's control routes (`POST /control/…`, e.g. the pause and resume `stratus replay` uses) change what
 * runs, so they answer only a caller that can read the state directory: each run of `stratus dev` makes a random
 * token, writes it to `<stateDir>/control-token` (mode 0600), and requires it as `Authorization: Bearer <token>`.
 * A web page can neither read the file nor, cross-origin, send the header without a CORS preflight the server
 * never grants; the Host and Origin checks (lib/local/observability/request-guard.ts) close the rest.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { carriesBearerToken } from '../core/bearer-token.ts';

/** File name of the token in the state directory (`statePaths(platform).controlToken`). */
export const CONTROL_TOKEN_FILE = 'control-token';

/** The request header that carries the token, and its scheme (RFC 6750's bearer form). */
export const CONTROL_TOKEN_HEADER = 'authorization';
const SCHEME = 'Bearer';

/** A fresh token: 32 random bytes, URL-safe base64. */
export function newControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The headers a control request carries. */
export function controlAuthHeaders(token: string): Record<string, string> {
  return { [CONTROL_TOKEN_HEADER]: `${SCHEME} ${token}` };
}

/** Whether a request's Authorization header carries `token` (compared in constant time). */
export function carriesControlToken(header: string | undefined, token: string): boolean {
  return carriesBearerToken(header, token);
}

/**
 * Writes the token readable by its owner only. Written to a temporary file first and renamed, so a reader
 * never sees half a token, and a file left by an earlier run with looser permissions is replaced, not reused.
 */
export function writeControlToken(file: string, token: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the umask cannot loosen it, but an existing file keeps its old mode on write
  renameSync(temporary, file);
}

/** The token in `file`, or undefined when there is none (no runtime has run here). */
export function readControlToken(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Removes the file if it still holds `token` (a later run may have replaced it). */
export function removeControlToken(file: string, token: string): void {
  if (readControlToken(file) === token) rmSync(file, { force: true });
}
