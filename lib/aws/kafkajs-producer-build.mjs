// Builds the `kafkajs` that consumer function bundles get: lib/aws/kafkajs-producer-only.cjs (kafkajs without its
// consumer and admin client) bundled into one self-contained CommonJS file, with the protocol requests only
// consumers and admin clients send left out. kafkajs' broker loads every request definition it has
// (protocol/requests/index.js, about 69 KB of a function's bundle); a function only produces. NodejsFunction runs
// esbuild's CLI, which takes aliases but no plugins, and kafkajs reaches these modules by relative require(), which
// an alias cannot redirect: so this file is built here, with esbuild's API and a plugin, and the consumer bundle's
// alias points at it (lib/aws/consumer-bundling.ts builds it when missing or stale). It also carries the faster
// record encoder and CRC-32C the local execution environments use (see `fastEncoding`). Plain JavaScript, run as
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

const KAFKAJS_SRC = path.resolve(HERE, '../../node_modules/kafkajs/src');
export const FAST_ENCODING = path.resolve(HERE, '../core/kafkajs-fast-encoding.ts');

/**
 * The faster record encoder and CRC-32C of lib/core/kafkajs-fast-encoding.ts in place of kafkajs' own modules,
 * as the local execution environments have them (byte for byte the same records; the broker checks each batch's
 * CRC): kafkajs' encoder cost a function about 20 ms of its first invocation's 100 records with nine headers each.
 */
const fastEncoding = {
  name: 'stratus-kafkajs-fast-encoding',
  setup(build) {
    const redirected = new Set();
    const shims = {
      record: `const Encoder = require(${JSON.stringify(path.join(KAFKAJS_SRC, 'protocol/encoder.js'))});
const original = require(${JSON.stringify(path.join(KAFKAJS_SRC, 'protocol/recordBatch/record/v0/index.js'))});
module.exports = require(${JSON.stringify(FAST_ENCODING)}).fastRecordEncoder(Encoder, original);`,
      crc32C: `module.exports = require(${JSON.stringify(FAST_ENCODING)}).crc32C;`,
    };
    const importerIs = (args, file) => args.importer.replaceAll('\\', '/').endsWith(file);
    build.onResolve({ filter: /recordBatch\/record\/v0$/ }, (args) => {
      if (!importerIs(args, 'kafkajs/src/protocol/requests/produce/v3/request.js')) return undefined;
      redirected.add('record');
      return { path: 'record', namespace: 'stratus-fast-encoding' };
    });
    build.onResolve({ filter: /^\.\/crc32C$/ }, (args) => {
      if (!importerIs(args, 'kafkajs/src/protocol/recordBatch/crc32C/index.js')) return undefined;
      redirected.add('crc32C');
      return { path: 'crc32C', namespace: 'stratus-fast-encoding' };
    });
    build.onLoad({ filter: /.*/, namespace: 'stratus-fast-encoding' }, (args) => ({
      contents: shims[args.path],
      loader: 'js',
      resolveDir: HERE,
    }));
    build.onEnd((result) => {
      const missing = Object.keys(shims).filter((name) => !redirected.has(name));
      if (result.errors.length === 0 && missing.length > 0)
        result.errors.push({
          text: `kafkajs no longer loads the modules replaced by: ${missing.join(', ')}`,
        });
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
    plugins: [leaveOutRequests, fastEncoding],
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
