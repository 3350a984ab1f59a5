import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDirLock } from './process-utils.ts';

/** What to resolve from Maven Central and how to tell that it worked. */
export interface MavenJarsOptions {
  /** A pom with packaging `pom` whose runtime dependencies are the jars wanted. */
  pom: string;
  /** Cache directory prefix under `~/.cache/stratus` (`<prefix>-<hash of the pom>`). */
  cacheName: string;
  /** File-name prefix of the jar that must be there afterwards, e.g. `kafka_2.13`. */
  expectJar: string;
  /** What is being downloaded, for progress and error lines, e.g. `Apache Kafka`. */
  what: string;
  /**
   * Progress lines (first download only).
   * @default no output
   */
  say?: (line: string) => void;
}

/**
 * Jars resolved by Maven (`dependency:copy-dependencies`) into the user cache, keyed by the pom's hash, so
 * every checkout on a machine shares one download and a changed pom gets a fresh directory. Safe to call
 * from several processes at once (a directory lock; the `.complete` marker is written last).
 */
export async function ensureMavenJars(options: MavenJarsOptions): Promise<string> {
  const say = options.say ?? (() => {});
  const hash = createHash('sha256').update(readFileSync(options.pom)).digest('hex').slice(0, 16);
  const cacheRoot = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const dir = path.join(cacheRoot, 'stratus', `${options.cacheName}-${hash}`);
  const complete = path.join(dir, '.complete');
  if (existsSync(complete)) return dir;
  mkdirSync(path.dirname(dir), { recursive: true });
  await withDirLock(`${dir}.lock`, async () => {
    if (existsSync(complete)) return;
    say(`downloading ${options.what} from Maven Central (first run only) …`);
    await runMaven(options, dir);
    const jars = readdirSync(dir).filter((file) => file.endsWith('.jar'));
    if (!jars.some((file) => file.startsWith(options.expectJar)))
      throw new Error(`Maven did not produce the ${options.what} jar (${options.expectJar}*.jar) in ${dir}`);
    writeFileSync(complete, `${jars.length} jars\n`);
    say(`${options.what} jars cached in ${dir}.`);
  });
  return dir;
}

function runMaven(options: MavenJarsOptions, dir: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const mvn = spawn(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        options.pom,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${dir}`,
        '-DincludeScope=runtime',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    mvn.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    mvn.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    mvn.once('error', (error) =>
      reject(
        new Error(
          `cannot run Maven (mvn) to fetch ${options.what}: ${error.message}; Stratus needs Java 17+ and Maven`,
        ),
      ),
    );
    mvn.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`Maven failed to fetch ${options.what} (exit ${code}):\n${output.slice(-2000)}`)),
    );
  });
}
