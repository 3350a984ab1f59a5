// Builds the `kafkajs` that consumer function bundles get: lib/aws/kafkajs-producer-only.cjs (kafkajs without its
// consumer and admin client) bundled into one self-contained CommonJS file, with the protocol requests only
// consumers and admin clients send left out. kafkajs' broker loads every request definition it has
// (protocol/requests/index.js, about 69 KB of a function's bundle); a function only produces. NodejsFunction runs
// esbuild's CLI, which takes aliases but no plugins, and kafkajs reaches these modules by relative require(), which
// an alias cannot redirect: so this file is built here, with esbuild's API and a plugin, and the consumer bundle's
// alias points at it (lib/aws/consumer-bundling.ts builds it when missing or stale). Plain JavaScript, run as
// `node lib/aws/kafkajs-producer-build.mjs <out-file>`.
import { mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PRODUCER_ONLY_ENTRY = path.join(HERE, 'kafkajs-producer-only.cjs');

/**
 * Request definitions (modules of kafkajs/src/protocol/requests) a producer never sends: fetching, offsets and
 * group membership (consumers), topics, configs, ACLs and groups (admin), offsets inside transactions (a
 * consumer's read-process-write loop). Kept: Produce, Metadata, ApiVersions, InitProducerId, the SASL requests,
 * FindCoordinator, AddPartitionsToTxn and EndTxn.
 */
export const REQUESTS_LEFT_OUT = [
  'fetch',
  'listOffsets',
  'offsetCommit',
  'offsetFetch',
  'joinGroup',
  'heartbeat',
  'leaveGroup',
  'syncGroup',
  'describeGroups',
  'listGroups',
  'createTopics',
  'deleteTopics',
  'deleteRecords',
  'txnOffsetCommit',
  'addOffsetsToTxn',
  'describeAcls',
  'createAcls',
  'deleteAcls',
  'describeConfigs',
  'alterConfigs',
  'createPartitions',
  'deleteGroups',
  'alterPartitionReassignments',
  'listPartitionReassignments',
];

/** What a left-out request becomes: a definition kafkajs can hold, which refuses to build a request. */
const stub = (name) =>
  `module.exports = { versions: [], protocol: () => { throw new Error(${JSON.stringify(
    `kafkajs ${name} requests are not in Stratus consumer function bundles (lib/aws/kafkajs-producer-build.mjs): functions only produce`,
  )}) } }`;

const leaveOutRequests = {
  name: 'stratus-kafkajs-requests-left-out',
  setup(build) {
    const names = new Set(REQUESTS_LEFT_OUT);
    const seen = new Set();
    build.onResolve({ filter: /^\.\/[A-Za-z]+$/ }, (args) => {
      const name = args.path.slice(2);
      if (
        !names.has(name) ||
        !args.importer.replaceAll('\\', '/').endsWith('kafkajs/src/protocol/requests/index.js')
      )
        return undefined;
      seen.add(name);
      return { path: name, namespace: 'stratus-left-out' };
    });
    build.onLoad({ filter: /.*/, namespace: 'stratus-left-out' }, (args) => ({
      contents: stub(args.path),
      loader: 'js',
    }));
    // Another kafkajs whose request table no longer names one of them: fail rather than bundle it silently.
    build.onEnd((result) => {
      const missing = REQUESTS_LEFT_OUT.filter((name) => !seen.has(name));
      if (result.errors.length === 0 && missing.length > 0)
        result.errors.push({ text: `kafkajs' request table no longer requires ./${missing.join(', ./')}` });
    });
  },
};

/** Builds the file at `outFile` (written whole, then renamed into place). */
export async function buildKafkajsProducer(outFile) {
  const esbuild = await import('esbuild');
  mkdirSync(path.dirname(outFile), { recursive: true });
  const temporary = `${outFile}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [PRODUCER_ONLY_ENTRY],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: temporary,
    legalComments: 'inline',
    plugins: [leaveOutRequests],
    logLevel: 'silent',
  });
  renameSync(temporary, outFile);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outFile = process.argv[2];
  if (!outFile) {
    process.stderr.write('usage: node lib/aws/kafkajs-producer-build.mjs <out-file>\n');
    process.exit(2);
  }
  await buildKafkajsProducer(outFile);
}
