/**
 * Java tools the local runtime runs (the Kafka broker, s3proxy) come from Maven Central: each has a pom under
 * localstack/<tool>/, resolved once by `mvn dependency:copy-dependencies` into the user cache, keyed by the
 * pom's hash, so every checkout on a machine shares one download and a changed pom downloads again.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDirLock } from './process-utils.ts';

export const LOCALSTACK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../localstack');

export interface MavenJarsOptions {
  /** Folder under localstack/ that holds the pom (`kafka`, `s3proxy`). */
  tool: string;
  /** What the download is, for the progress line: `Apache Kafka (about 45 MB)`. */
  describe: string;
  /** A jar name prefix that must be among the results, or the download is an error. */
  expectJar: string;
  /** Why the tool is needed, for the error when Maven cannot run. */
  why: string;
  onProgress?: (line: string) => void;
}

/** The directory of the tool's jars (use it as a classpath `<dir>/*`); downloads them on first use. */
export async function ensureMavenJars(options: MavenJarsOptions): Promise<string> {
  const say = options.onProgress ?? (() => {});
  const pom = path.join(LOCALSTACK_DIR, options.tool, 'pom.xml');
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
  const cacheRoot = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const dir = path.join(cacheRoot, 'stratus', `${options.tool}-jars-${hash}`);
  const complete = path.join(dir, '.complete');
  if (existsSync(complete)) return dir;
  mkdirSync(path.dirname(dir), { recursive: true });
  await withDirLock(`${dir}.lock`, async () => {
    if (existsSync(complete)) return;
    say(`downloading ${options.describe} from Maven Central (first run only) …`);
    await runMaven(pom, dir, options.why);
    const jars = readdirSync(dir).filter((file) => file.endsWith('.jar'));
    if (!jars.some((file) => file.startsWith(options.expectJar)))
      throw new Error(`Maven did not produce ${options.expectJar}*.jar in ${dir}`);
    writeFileSync(complete, `${jars.length} jars\n`);
    say(`${options.describe} cached in ${dir}.`);
  });
  return dir;
}

function runMaven(pom: string, outputDir: string, why: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const mvn = spawn(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        pom,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${outputDir}`,
        '-DincludeScope=runtime',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    mvn.stdout.on('data', collect);
    mvn.stderr.on('data', collect);
    mvn.once('error', (error) =>
      reject(new Error(`cannot run Maven (mvn): ${error.message}; Stratus needs Java 17+ and Maven ${why}`)),
    );
    mvn.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `Maven failed to fetch ${path.basename(path.dirname(pom))} (exit ${code}):\n${output.slice(-2000)}`,
            ),
          ),
    );
  });
}

/** The java binary: $JAVA_HOME/bin/java when set. */
export function javaBinary(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
}
