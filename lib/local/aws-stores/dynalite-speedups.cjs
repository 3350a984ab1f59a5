/**
 * Speed fixes for dynalite's LevelDB, and the entry point of the dynalite process that installs them before it
 * starts dynalite's CLI (dynalite.ts; STRATUS_DYNALITE_SPEEDUPS=off runs dynalite as it is). Plain CommonJS
 * because that process runs bare Node.js, without tsx. What dynalite answers and what it keeps on disk do not
 * change; only how often it goes to LevelDB does.
 *
 * Why: dynalite goes to LevelDB for everything, every time, one key per call. A PutItem reads the table's
 * definition, then the item it replaces, then writes; a Powertools idempotency record costs five reads and two
 * writes (the gateway's consistent read for the claim's condition, then for each of the two puts the table and
 * the old item), and BatchWriteItem / BatchGetItem do that for each of their items separately. Each LevelDB
 * call is a trip through libuv's thread pool and back. In a profile of `bench/pipeline` at 50k records with
 * idempotency those trips (classic-level `_get` and `_put`) were 7.2 s of dynalite's 17 s busy time, and dynalite
 * — one thread — was what the pipeline waited for.
 *
 * 1. A read cache. The values dynalite reads and writes (JSON, in LevelDB as `JSON.stringify` text) are kept as
 *    that text in memory; a key LevelDB does not have is remembered as absent. It is only ever filled with
 *    what LevelDB holds:
 *    - a write goes to LevelDB first; only once LevelDB has acknowledged it does the cache take the new value,
 *      and only if no other write to the key was in flight meanwhile (then the key is just dropped);
 *    - a read that missed is remembered only if no write to the key was in flight when it started or started
 *      while it was in flight;
 *    - anything this file does not follow (a write with options, a chained batch, `clear()`) empties the
 *      cache and turns these fixes off for that database, so such a write can never leave a stale entry.
 *    Scans and queries read LevelDB directly, as before; they see every acknowledged write because the cache
 *    never holds a write LevelDB has not taken.
 * 2. Combined calls. The reads that miss and the writes issued in one turn of the event loop (a BatchWriteItem's
 *    25 puts, a BatchGetItem's 100 reads) go to LevelDB as one `getMany` and one atomic `batch`, in the order
 *    they were issued; every caller is answered when that call is. Each write is acknowledged, as before,
 *    once it is in LevelDB's log.
 */
'use strict';
const { createRequire } = require('node:module');

/**
 * Keys per generation: the cache keeps two generations (the current one and the one before it), so it holds
 * between MAX_ENTRIES and twice that, ~0.5 KB each for an idempotency record — a few tens of MB at most. Two
 * plain Maps instead of a least-recently-used list: deleting and re-inserting a key of a large Map on every hit
 * leaves holes V8 walks over when it looks for the oldest entry (that took more time than LevelDB's read).
 */
const MAX_ENTRIES = 50_000;
const ABSENT = Symbol('absent');
const UTF8 = { valueEncoding: 'utf8' };

/**
 * @typedef {{ current: Map<string, string | typeof ABSENT>, previous: Map<string, string | typeof ABSENT>,
 *   writes: Map<string, { count: number, overlapped: boolean }>, reads: Map<string, Set<{ stale: boolean }>>,
 *   off: boolean, queuedWrites: Array<{ ops: object[], settle: (error?: unknown) => void }>,
 *   queuedReads: Array<{ key: string, settle: (error: unknown, text?: string) => void }> }} DbState
 */

/** @type {WeakMap<object, DbState>} */
const states = new WeakMap();

/** @returns {DbState} */
function stateOf(db) {
  let state = states.get(db);
  if (!state) {
    state = {
      current: new Map(),
      previous: new Map(),
      writes: new Map(),
      reads: new Map(),
      off: false,
      queuedWrites: [],
      queuedReads: [],
    };
    states.set(db, state);
  }
  return state;
}

function lookup(state, key) {
  const hit = state.current.get(key);
  if (hit !== undefined) return hit;
  const old = state.previous.get(key);
  if (old !== undefined) remember(state, key, old);
  return old;
}

function remember(state, key, value) {
  state.current.set(key, value);
  if (state.current.size < MAX_ENTRIES) return;
  state.previous = state.current;
  state.current = new Map();
}

function forget(state, key) {
  state.current.delete(key);
  state.previous.delete(key);
}

function turnOff(state) {
  state.off = true;
  state.current.clear();
  state.previous.clear();
}

function beginWrite(state, key) {
  forget(state, key);
  for (const read of state.reads.get(key) ?? []) read.stale = true;
  const write = state.writes.get(key);
  if (write) {
    write.count++;
    write.overlapped = true;
  } else state.writes.set(key, { count: 1, overlapped: false });
}

/** `value`: the text LevelDB now holds, ABSENT after a delete, undefined when the outcome is unknown (error). */
function endWrite(state, key, value) {
  const write = state.writes.get(key);
  if (--write.count > 0) return;
  state.writes.delete(key);
  if (write.overlapped || value === undefined || state.off) forget(state, key);
  else remember(state, key, value);
}

/**
 * Writes `outcomes` (`[key, text | ABSENT]`) in the next combined batch; resolves (with undefined, as LevelDB's
 * put, del and batch do) or rejects with that batch.
 */
function write(db, state, original, outcomes) {
  for (const [key] of outcomes) beginWrite(state, key);
  const ops = outcomes.map(([key, value]) =>
    value === ABSENT ? { type: 'del', key } : { type: 'put', key, value, valueEncoding: 'utf8' },
  );
  return new Promise((resolve, reject) => {
    if (state.queuedWrites.length === 0) setImmediate(flushWrites, db, state, original);
    state.queuedWrites.push({
      ops,
      settle: (error) => {
        for (const [key, value] of outcomes) endWrite(state, key, error === undefined ? value : undefined);
        if (error === undefined) resolve(undefined);
        else reject(error);
      },
    });
  });
}

function flushWrites(db, state, original) {
  const queued = state.queuedWrites;
  state.queuedWrites = [];
  callOnceFor(queued, () =>
    original.batch.call(
      db,
      queued.flatMap((entry) => entry.ops),
    ),
  );
}

/** Reads `key` in the next combined `getMany`; resolves with LevelDB's text, or undefined if it has none. */
function read(db, state, original, key) {
  // A write already in flight may land before or after this read: what it reads is not to be remembered.
  const pending = { stale: state.writes.has(key) };
  let reads = state.reads.get(key);
  if (!reads) {
    reads = new Set();
    state.reads.set(key, reads);
  }
  reads.add(pending);
  return new Promise((resolve, reject) => {
    if (state.queuedReads.length === 0) setImmediate(flushReads, db, state, original);
    state.queuedReads.push({
      key,
      settle: (error, text) => {
        reads.delete(pending);
        if (reads.size === 0 && state.reads.get(key) === reads) state.reads.delete(key);
        if (error !== undefined) return reject(error);
        if (!pending.stale && !state.off && !state.writes.has(key)) remember(state, key, text ?? ABSENT);
        resolve(text);
      },
    });
  });
}

function flushReads(db, state, original) {
  const queued = state.queuedReads;
  state.queuedReads = [];
  callOnceFor(
    queued,
    () =>
      original.getMany.call(
        db,
        queued.map((entry) => entry.key),
        UTF8,
      ),
    (texts, i) => texts[i],
  );
}

/**
 * One LevelDB call for all of `queued` (a synchronous throw counts as its rejection); each entry is then settled
 * with its share of the answer (`shareOf`), or with the error.
 */
function callOnceFor(queued, call, shareOf = () => undefined) {
  new Promise((resolve) => resolve(call())).then(
    (answer) => {
      for (const [i, entry] of queued.entries()) entry.settle(undefined, shareOf(answer, i));
    },
    (error) => {
      for (const entry of queued) entry.settle(error);
    },
  );
}

const parsed = (text) => (text === undefined ? undefined : JSON.parse(text));

/** Patches `Level` (classic-level) as dynalite requires it; call before dynalite creates its database. */
function installDynaliteSpeedups(Level) {
  const proto = Level.prototype;
  const original = {
    get: proto.get,
    getMany: proto.getMany,
    put: proto.put,
    del: proto.del,
    batch: proto.batch,
    clear: proto.clear,
  };

  // Only the plain forms dynalite uses are handled here: get(key), put(key, value), del(key), batch(array).
  proto.get = function get(...args) {
    const [key] = args;
    const state = stateOf(this);
    if (state.off || args.length !== 1 || typeof key !== 'string' || this.status !== 'open')
      return original.get.apply(this, args);
    const hit = lookup(state, key);
    if (hit !== undefined) return Promise.resolve(hit === ABSENT ? undefined : JSON.parse(hit));
    return read(this, state, original, key).then(parsed);
  };

  proto.put = function put(...args) {
    const [key, value] = args;
    const state = stateOf(this);
    if (state.off) return original.put.apply(this, args);
    if (args.length !== 2 || typeof key !== 'string' || value === undefined) {
      turnOff(state);
      return original.put.apply(this, args);
    }
    return write(this, state, original, [[key, JSON.stringify(value)]]);
  };

  proto.del = function del(...args) {
    const [key] = args;
    const state = stateOf(this);
    if (state.off) return original.del.apply(this, args);
    if (args.length !== 1 || typeof key !== 'string') {
      turnOff(state);
      return original.del.apply(this, args);
    }
    return write(this, state, original, [[key, ABSENT]]);
  };

  proto.batch = function batch(...args) {
    const [operations] = args;
    const state = stateOf(this);
    if (state.off) return original.batch.apply(this, args);
    const plain =
      args.length === 1 &&
      Array.isArray(operations) &&
      operations.every(
        (op) =>
          op &&
          typeof op.key === 'string' &&
          Object.keys(op).every((field) => field === 'type' || field === 'key' || field === 'value') &&
          (op.type === 'del' || (op.type === 'put' && op.value !== undefined)),
      );
    if (!plain) {
      turnOff(state);
      return original.batch.apply(this, args);
    }
    return write(
      this,
      state,
      original,
      operations.map((op) => [op.key, op.type === 'put' ? JSON.stringify(op.value) : ABSENT]),
    );
  };

  proto.clear = function clear(...args) {
    turnOff(stateOf(this));
    return original.clear.apply(this, args);
  };
}

module.exports = { installDynaliteSpeedups, MAX_ENTRIES };

// Run as the store's entry point (dynalite.ts): `node dynalite-speedups.cjs <dynalite's CLI arguments>`.
if (require.main === module) {
  const dynaliteCli = require.resolve('dynalite/cli.js');
  if (process.env.STRATUS_DYNALITE_SPEEDUPS !== 'off')
    installDynaliteSpeedups(createRequire(dynaliteCli)('level').Level);
  require(dynaliteCli);
}
