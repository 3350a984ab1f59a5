// Builds the `kafkajs` that consumer function bundles get: lib/aws/kafkajs-producer-only.cjs (kafkajs without its
// consumer and admin client) bundled into one self-contained CommonJS file, with the protocol requests only
// consumers and admin clients send left out. kafkajs' broker loads every request definition it has
// (protocol/requests/index.js, about 69 KB of a function's bundle); a function only produces. NodejsFunction runs
// esbuild's CLI, which takes aliases but no plugins, and kafkajs reaches these modules by relative require(), which
// an alias cannot redirect: so this file is built here, with esbuild's API and a plugin, and the consumer bundle's
// alias points at it (lib/aws/consumer-bundling.ts builds it when missing or stale). It also carries the faster
// record encoder and CRC-32C the local execution environments use (see `REPLACEMENTS`). Plain JavaScript, run as
// `node lib/aws/kafkajs-producer-build.mjs <out-file>` by lib/aws/kafkajs-producer-file.ts, which gives it a
// temporary path and moves the file into place once built (lib/aws/prebuilt-file.ts).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
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

// The installed kafkajs, wherever the package manager put it.
const KAFKAJS_SRC = path.join(
  path.dirname(createRequire(import.meta.url).resolve('kafkajs/package.json')),
  'src',
);
export const FAST_ENCODING = path.resolve(HERE, '../core/kafkajs-fast-encoding.ts');
const quoted = (file) => JSON.stringify(file);

/**
 * The modules of kafkajs replaced in the file: the `require()` that loads each (the requiring file under
 * kafkajs/src, the specifier as written there) and what it gets instead. Besides the left-out requests, the
 * faster record encoder and CRC-32C of lib/core/kafkajs-fast-encoding.ts, as the local execution environments
 * have them (byte for byte the same records; the broker checks each batch's CRC): ~16 µs instead of ~35 µs per
 * record with the SDK's nine headers.
 */
export const REPLACEMENTS = [
  ...REQUESTS_LEFT_OUT.map((name) => ({
    importer: 'protocol/requests/index.js',
    specifier: `./${name}`,
    contents: stub(name),
  })),
  {
    importer: 'protocol/requests/produce/v3/request.js',
    specifier: '../../../recordBatch/record/v0',
    contents: `const Encoder = require(${quoted(path.join(KAFKAJS_SRC, 'protocol/encoder.js'))});
const original = require(${quoted(path.join(KAFKAJS_SRC, 'protocol/recordBatch/record/v0/index.js'))});
module.exports = require(${quoted(FAST_ENCODING)}).fastRecordEncoder(Encoder, original);`,
  },
  {
    importer: 'protocol/recordBatch/crc32C/index.js',
    specifier: './crc32C',
    contents: `module.exports = require(${quoted(FAST_ENCODING)}).crc32C;`,
  },
];

/**
 * The esbuild plugin that gives each `require()` of `replacements` its replacement, and fails the build when one
 * of them was never required.
 */
export const replaceKafkajsModules = (replacements) => ({
  name: 'stratus-kafkajs-replacements',
  setup(build) {
    const used = new Set();
    build.onResolve({ filter: /^\./ }, (args) => {
      const importer = args.importer.replaceAll('\\', '/');
      const index = replacements.findIndex(
        (r) => r.specifier === args.path && importer.endsWith(`kafkajs/src/${r.importer}`),
      );
      if (index < 0) return undefined;
      used.add(index);
      return { path: String(index), namespace: 'stratus-replaced' };
    });
    build.onLoad({ filter: /.*/, namespace: 'stratus-replaced' }, (args) => ({
      contents: replacements[Number(args.path)].contents,
      loader: 'js',
      resolveDir: HERE,
    }));
    // Another kafkajs that no longer loads one of them: fail rather than bundle the original silently. (Returned:
    // errors pushed onto `result` do not fail the build.)
    build.onEnd((result) => {
      const missing = replacements.filter((_, index) => !used.has(index));
      if (result.errors.length > 0 || missing.length === 0) return undefined;
      return {
        errors: [
          {
            text: `kafkajs no longer requires ${missing.map((r) => `${r.specifier} from ${r.importer}`).join(', ')}`,
          },
        ],
      };
    });
  },
});

/** Builds the file at `outFile` (esbuild writes it even when a plugin fails the build: the caller removes it). */
export async function buildKafkajsProducer(outFile) {
  const esbuild = await import('esbuild');
  mkdirSync(path.dirname(outFile), { recursive: true });
  await esbuild.build({
    entryPoints: [PRODUCER_ONLY_ENTRY],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: outFile,
    legalComments: 'inline',
    plugins: [replaceKafkajsModules(REPLACEMENTS)],
    logLevel: 'silent',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outFile = process.argv[2];
  if (!outFile) {
    process.stderr.write('usage: node lib/aws/kafkajs-producer-build.mjs <out-file>\n');
    process.exit(2);
  }
  await buildKafkajsProducer(outFile);
}
