/**
 * Class-data sharing (AppCDS) for the JVMs the local runtime starts: the Kafka broker, its storage format
 * tool and s3proxy. Most of a JVM's start is finding, reading, verifying and parsing the classes of its jars;
 * the first JVM of a kind that exits cleanly writes the classes it loaded to an archive (JDK 13+ dynamic
 * archives, `-XX:ArchiveClassesAtExit`), and later starts map that archive instead (Kafka 4.3's start on
 * this 2-core machine: ~2.1 s without, ~1.1 s with; s3proxy's ~0.84 s → ~0.42 s).
 *
 * The archive is only a cache: a JVM ignores one that does not fit it (another JDK, other jars), and a JVM
 * without a base CDS archive (which dynamic archives need; without one the dump option is fatal) never
 * gets the dump option. A dump is written to a temporary file and kept only when the JVM exited as asked
 * (exit 0 or SIGTERM); a JVM killed with SIGKILL leaves no half-written archive behind.
 * STRATUS_CLASS_ARCHIVES=off turns the whole thing off.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ClassArchiveOptions {
  /** Directory the archives live in (created), e.g. `<jars>/class-archives`. */
  dir: string;
  /** What the JVM runs, part of the file name: `kafka-broker`. */
  name: string;
  /** The `java` binary (a name found on PATH, or a path). */
  java: string;
}

export interface ClassArchive {
  /** JVM options to put before the main class or `-jar` (empty when archives are off or unsupported). */
  jvmArgs: string[];
  /** True when the JVM is asked to write the archive at exit (the first clean run of a kind). */
  dumping: boolean;
  /** Call once the JVM has ended, with `exitOf`'s description: keeps a dump of a clean exit, drops any other. */
  settle(how: string): void;
}

/** Dumps left by a JVM that ended without anyone settling them (the runtime was killed) go after this. */
const STALE_DUMP_MS = 60 * 60_000;
/** CDS' own log lines (an archive that does not fit, classes it cannot archive) would clutter the JVM's log. */
const QUIET = '-Xlog:cds*=off';

const NONE: ClassArchive = { jvmArgs: [], dumping: false, settle: () => {} };

export function classArchive(options: ClassArchiveOptions): ClassArchive {
  if (process.env.STRATUS_CLASS_ARCHIVES === 'off') return NONE;
  const binary = resolveJava(options.java);
  if (!binary) return NONE;
  const archive = path.join(options.dir, `${options.name}-${jvmKey(binary)}.jsa`);
  if (existsSync(archive))
    return { jvmArgs: [QUIET, `-XX:SharedArchiveFile=${archive}`], dumping: false, settle: () => {} };
  try {
    mkdirSync(options.dir, { recursive: true });
    removeStaleDumps(options.dir);
  } catch {
    return NONE; // a read-only cache: run without an archive
  }
  if (!hasBaseArchive(binary)) return NONE;
  const dump = `${archive}.${randomUUID()}.tmp`;
  return {
    jvmArgs: [QUIET, `-XX:ArchiveClassesAtExit=${dump}`],
    dumping: true,
    settle(how) {
      try {
        if (/^(exit code 0|killed by SIGTERM)$/.test(how) && existsSync(dump)) renameSync(dump, archive);
        else rmSync(dump, { force: true });
      } catch {
        // Another JVM of the same kind may have put its archive there first; either is fine.
      }
    },
  };
}

/** The real path of `java` (PATH lookup for a bare name), or undefined when there is none. */
function resolveJava(java: string): string | undefined {
  const candidates = java.includes('/')
    ? [java]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, java));
  for (const candidate of candidates) {
    try {
      return realpathSync(candidate);
    } catch {}
  }
  return undefined;
}

/** Changes when the JDK does (an upgrade replaces the binary), so an upgraded JDK gets a fresh archive. */
function jvmKey(binary: string): string {
  const { size, mtimeMs } = statSync(binary);
  return createHash('sha256').update(`${binary}\0${size}\0${mtimeMs}`).digest('hex').slice(0, 12);
}

/** Whether the JVM maps its base CDS archive (`java -version` then says "sharing"). */
function hasBaseArchive(binary: string): boolean {
  // `java -version` prints on stderr.
  const run = spawnSync(binary, ['-Xshare:auto', '-version'], { encoding: 'utf8', timeout: 10_000 });
  return run.status === 0 && /sharing/.test(`${run.stderr}${run.stdout}`);
}

function removeStaleDumps(dir: string): void {
  const now = Date.now();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.tmp')) continue;
    const full = path.join(dir, file);
    try {
      if (now - statSync(full).mtimeMs > STALE_DUMP_MS) rmSync(full, { force: true });
    } catch {}
  }
}
