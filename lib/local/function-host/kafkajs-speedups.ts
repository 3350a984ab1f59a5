/**
 * Speed fixes for kafkajs 2.2.4 (its last release), installed by each execution environment (worker thread) of
 * the function host before the handler loads, so a handler's kafkajs producer costs less CPU locally. The producer
 * API and the bytes on the wire stay kafkajs'; only the cost changes. The runtime's own main thread is left
 * alone (so is `bench/pipeline`'s raw kafkajs pass-through, which runs in that thread).
 *
 * 1. kafkajs' request queue re-arms a timer every millisecond on every connection, forever, even when nothing
 *    is pending or throttled (https://github.com/tulios/kafkajs/issues/1556, /issues/1704; fix as proposed in
 *    /pull/1667): here the check is only scheduled when a request waits or a throttle is to be lifted.
 * 2. Faster drop-ins for two per-record encoding modules, the record encoder and the CRC-32C of each record batch
 *    (lib/core/kafkajs-fast-encoding.ts, where the why is; consumer function bundles on AWS get the same ones).
 *
 * Anything outside the fast path (a header or value that is neither a
 * string nor a Buffer, a timestamp delta that is not a safe integer) goes to kafkajs' original encoder, so
 * errors are kafkajs' too. Another kafkajs version, a bundle without kafkajs' files, or a producer module
 * kafkajs already loaded leave kafkajs as it is (still correct, just not faster).
 */
import { createRequire } from 'node:module';
import {
  crc32C,
  type EncoderClass,
  fastRecordEncoder,
  type RecordEncoder,
} from '../../core/kafkajs-fast-encoding.ts';

const require = createRequire(import.meta.url);
const VERSION = '2.2.4';
const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
const CRC_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/crc32C.js';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';
const REQUEST_QUEUE_MODULE = 'kafkajs/src/network/requestQueue/index.js';

let installed: boolean | undefined;

/**
 * Puts the fixes in place (once per module registry); true when they are in use. Call it before the first
 * produce request of the process or worker (kafkajs loads its produce request lazily).
 */
export function installKafkajsSpeedups(): boolean {
  installed ??= install();
  return installed;
}

function install(): boolean {
  try {
    if ((require('kafkajs/package.json') as { version: string }).version !== VERSION) return false;
    const recordPath = require.resolve(RECORD_MODULE);
    const crcPath = require.resolve(CRC_MODULE);
    const Encoder = require(ENCODER_MODULE) as EncoderClass;
    const original = require(recordPath) as RecordEncoder;
    require(crcPath);
    const recordModule = require.cache[recordPath];
    const crcModule = require.cache[crcPath];
    if (!recordModule || !crcModule) return false;
    recordModule.exports = fastRecordEncoder(Encoder, original);
    crcModule.exports = crc32C;
    fixIdleTimerLoop(require(REQUEST_QUEUE_MODULE) as RequestQueueClass);
    return true;
  } catch {
    return false;
  }
}

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}
type RequestQueueClass = { prototype: RequestQueue };

/** kafkajs' own `scheduleCheckPendingRequests`, minus the timer when there is nothing to check. */
function fixIdleTimerLoop(RequestQueue: RequestQueueClass): void {
  const CHECK_PENDING_REQUESTS_INTERVAL = 10; // kafkajs' constant
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    let scheduleAt = this.throttledUntil - Date.now();
    if (this.throttleCheckTimeoutId) return;
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
    // Nothing waits and no throttle ends later: a new request or a response checks the queue again.
    else if (scheduleAt <= 0) return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, scheduleAt);
  };
}
