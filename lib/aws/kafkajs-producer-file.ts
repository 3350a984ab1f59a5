/**
 * The prebuilt `kafkajs` of consumer function bundles (see lib/aws/kafkajs-producer-build.mjs): where it lives and
 * building it when it is missing or stale. Synchronous, because constructs are: the build runs in a child process
 * (esbuild's plugins need its asynchronous API) and takes about half a second, once per change of its inputs.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAST_ENCODING, PRODUCER_ONLY_ENTRY } from './kafkajs-producer-build.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BUILD_SCRIPT = path.join(HERE, 'kafkajs-producer-build.mjs');
const require = createRequire(import.meta.url);

/** `node_modules/.cache/stratus/kafkajs-producer.cjs` of the installation kafkajs is resolved from. */
export function kafkajsProducerFile(): string {
  const nodeModules = path.dirname(path.dirname(require.resolve('kafkajs/package.json')));
  return path.join(nodeModules, '.cache', 'stratus', 'kafkajs-producer.cjs');
}

/** What the file is built from: the kafkajs and esbuild versions and its three sources. */
function inputsDigest(): string {
  const hash = createHash('sha256');
  for (const pkg of ['kafkajs/package.json', 'esbuild/package.json'])
    hash.update(JSON.parse(readFileSync(require.resolve(pkg), 'utf8')).version).update('\0');
  for (const file of [BUILD_SCRIPT, PRODUCER_ONLY_ENTRY, FAST_ENCODING])
    hash.update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** The prebuilt file's path, built first when missing or built from other inputs. */
export function ensureKafkajsProducerFile(): string {
  const file = kafkajsProducerFile();
  const digestFile = `${file}.inputs`;
  const digest = inputsDigest();
  let recorded: string | undefined;
  try {
    recorded = readFileSync(digestFile, 'utf8');
  } catch {
    recorded = undefined;
  }
  if (recorded !== digest || !existsSync(file)) {
    try {
      execFileSync(process.execPath, [BUILD_SCRIPT, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(
        `could not build kafkajs for consumer function bundles (${BUILD_SCRIPT}): ${stderr || error}`,
      );
    }
    writeFileSync(digestFile, digest);
  }
  return file;
}
