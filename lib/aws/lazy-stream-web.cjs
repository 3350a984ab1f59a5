/**
 * `node:stream/web` inside consumer function bundles (lib/aws/consumer-bundling.ts aliases the specifier to this
 * file): the same exports, but Node's web-streams modules are loaded when one is first read rather than when the
 * bundle is. middy's core imports `ReadableStream` from `node:stream/web` at its top and reads it only to answer a
 * response-streaming function, which a Kafka consumer never is; the import alone loaded seven internal modules,
 * about 3 ms of every cold start (measured: bench/cold-start.bench.ts, and a paired require-only A/B).
 *
 * The exports are getters (esbuild's CommonJS interop copies them as getters, so nothing is loaded at import
 * time); their names are Node's (test/cdk/consumer-bundling.test.ts fails when a Node release adds one).
 */
'use strict';

/** What `node:stream/web` exports on Node.js 20 and 22. */
const NAMES = [
  'ReadableStream',
  'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader',
  'ReadableStreamBYOBRequest',
  'ReadableByteStreamController',
  'ReadableStreamDefaultController',
  'TransformStream',
  'TransformStreamDefaultController',
  'WritableStream',
  'WritableStreamDefaultWriter',
  'WritableStreamDefaultController',
  'ByteLengthQueuingStrategy',
  'CountQueuingStrategy',
  'TextEncoderStream',
  'TextDecoderStream',
  'CompressionStream',
  'DecompressionStream',
];

let streamWeb;
for (const name of NAMES)
  Object.defineProperty(exports, name, {
    enumerable: true,
    get() {
      // Unprefixed on purpose: the alias is for `node:stream/web`, so this reaches Node's module itself.
      streamWeb ??= require('stream/web');
      return streamWeb[name];
    },
  });
