/**
 * The prebuilt `kafkajs` of consumer function bundles (see lib/aws/kafkajs-producer-build.mjs): where it lives and
 * building it when it is missing or stale. The build runs in a child process (esbuild's plugins need its
 * asynchronous API, constructs are synchronous) and takes about half a second, once per change of its inputs.
 */

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAST_ENCODING, PRODUCER_ONLY_ENTRY } from './kafkajs-producer-build.mjs';
import { ensurePrebuiltFile, inputsDigest, prebuiltFilePath } from './prebuilt-file.ts';

const BUILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kafkajs-producer-build.mjs');

/** `node_modules/.cache/stratus/kafkajs-producer.cjs` of the installation kafkajs is resolved from. */
export function kafkajsProducerFile(): string {
  return prebuiltFilePath('kafkajs', 'kafkajs-producer.cjs');
}

/** The prebuilt file's path, built first when missing or built from other inputs. */
export function ensureKafkajsProducerFile(): string {
  const digest = inputsDigest(['kafkajs', 'esbuild'], [BUILD_SCRIPT, PRODUCER_ONLY_ENTRY, FAST_ENCODING]);
  return ensurePrebuiltFile(kafkajsProducerFile(), digest, (outFile) => {
    try {
      execFileSync(process.execPath, [BUILD_SCRIPT, outFile], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(
        `could not build kafkajs for consumer function bundles (${BUILD_SCRIPT}): ${stderr || error}`,
      );
    }
  });
}
