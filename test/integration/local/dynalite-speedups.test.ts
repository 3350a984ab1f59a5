/**
 * The read cache and the combined calls in front of dynalite's LevelDB (lib/local/aws-stores/dynalite-speedups.cjs),
 * on a real classic-level database — the `level` dynalite itself loads. LevelDB is the oracle: a read with
 * options goes past the cache, so after every wave of concurrent writes and reads the cached answer must equal
 * LevelDB's. Waves race gets against puts, deletes and batches of the same keys (the case where a read that
 * started before a write must not be remembered), and batches that name a key twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface LevelDb {
  status: string;
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: string, options?: object): Promise<unknown>;
  put(key: string, value: unknown, options?: object): Promise<void>;
  del(key: string): Promise<void>;
  batch(operations: Array<{ type: 'put' | 'del'; key: string; value?: unknown }>): Promise<void>;
  batch(): { put(key: string, value: unknown): unknown; write(): Promise<void> };
  keys(): AsyncIterable<string>;
}
type LevelClass = new (location: string, options: { valueEncoding: 'json' }) => LevelDb;

const require = createRequire(import.meta.url);
const { installDynaliteSpeedups } = require('../../../lib/local/aws-stores/dynalite-speedups.cjs') as {
  installDynaliteSpeedups(Level: LevelClass): void;
};
const { Level } = createRequire(require.resolve('dynalite/package.json'))('level') as { Level: LevelClass };

/** LevelDB calls made, counted beneath the speed-ups (which patch this subclass's own prototype). */
const calls = { batch: 0, getMany: 0, get: 0, put: 0 };
type AnyMethod = (...args: unknown[]) => Promise<unknown>;
class CountingLevel extends (Level as unknown as new (
  location: string,
  options: object,
) => Record<string, AnyMethod>) {
  batch(...args: unknown[]) {
    if (args.length > 0) calls.batch++;
    return super.batch!(...args);
  }
  getMany(...args: unknown[]) {
    calls.getMany++;
    return super.getMany!(...args);
  }
  get(...args: unknown[]) {
    calls.get++;
    return super.get!(...args);
  }
  put(...args: unknown[]) {
    calls.put++;
    return super.put!(...args);
  }
}
installDynaliteSpeedups(CountingLevel as unknown as LevelClass);

const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-level-cache-'));
const JSON_VALUES = { valueEncoding: 'json' };
let db: LevelDb;
let opened = 0;

async function openDb(): Promise<LevelDb> {
  const fresh = new (CountingLevel as unknown as LevelClass)(path.join(root, `db-${opened++}`), {
    valueEncoding: 'json',
  });
  await fresh.open();
  return fresh;
}

/** What LevelDB holds, read past the cache. */
const stored = (key: string) => db.get(key, JSON_VALUES);

beforeAll(async () => {
  db = await openDb();
});
afterAll(async () => {
  await db.close();
  rmSync(root, { recursive: true, force: true });
});

/** A deterministic random sequence, so a failing wave can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('dynalite speed-ups', () => {
  it('answers what LevelDB holds after every wave of racing reads and writes (60 waves)', async () => {
    const next = random(20261201);
    const keys = Array.from({ length: 12 }, (_, i) => `item-t~${i}`);
    const pick = () => keys[Math.floor(next() * keys.length)]!;
    let version = 0;
    const item = () => ({
      id: { S: pick() },
      version: { N: String(++version) },
      nested: { L: [{ S: 'é' }] },
    });
    for (let wave = 0; wave < 60; wave++) {
      const pending: Array<Promise<unknown>> = [];
      for (let op = 0; op < 40; op++) {
        const roll = next();
        if (roll < 0.4) pending.push(db.get(pick()));
        else if (roll < 0.65) pending.push(db.put(pick(), item()));
        else if (roll < 0.75) pending.push(db.del(pick()));
        else
          pending.push(
            db.batch(
              Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
                next() < 0.7
                  ? { type: 'put' as const, key: pick(), value: item() }
                  : { type: 'del' as const, key: pick() },
              ),
            ),
          );
      }
      await Promise.all(pending);
      for (const key of keys) expect(await db.get(key), `wave ${wave}, ${key}`).toEqual(await stored(key));
    }
  });

  // LevelDB's thread pool almost never finishes a read after a write issued later when the read saw the value
  // before that write (2,000 real waves never did), so this order is produced with a stand-in whose answers
  // the test releases by hand.
  it('does not remember a read that a later write overtook', async () => {
    const held: Array<() => void> = [];
    let stored: string | undefined = '{"v":"old"}';
    class HandReleasedLevel {
      status = 'open';
      getMany(keys: string[], _options?: object) {
        const seen = keys.map(() => stored);
        return new Promise((resolve) => held.push(() => resolve(seen)));
      }
      batch(ops: Array<{ value?: string }>) {
        return new Promise<void>((resolve) =>
          held.push(() => {
            stored = ops.at(-1)!.value;
            resolve();
          }),
        );
      }
    }
    installDynaliteSpeedups(HandReleasedLevel as unknown as LevelClass);
    const fake = new HandReleasedLevel() as unknown as LevelDb;
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const read = fake.get('k'); // reads "old" …
    await turn();
    const write = fake.put('k', { v: 'new' });
    await turn();
    held[1]!(); // … the write lands and is answered first,
    await write;
    held[0]!(); // then the read that started before it is answered.
    expect(await read).toEqual({ v: 'old' });
    const next = fake.get('k');
    await turn();
    held[2]?.(); // a read that goes to the store (not answered from memory) is released here
    expect(await next).toEqual({ v: 'new' });
  });

  // Two batches in flight at once: LevelDB applies them in one order, its answers may come in the other.
  it('does not remember either of two writes in flight together whose answers came out of order', async () => {
    const answers: Array<() => void> = [];
    let stored: string | undefined;
    class OutOfOrderLevel {
      status = 'open';
      getMany(keys: string[], _options?: object) {
        return Promise.resolve(keys.map(() => stored));
      }
      batch(ops: Array<{ value?: string }>) {
        stored = ops.at(-1)!.value; // applied now, in the order issued …
        return new Promise<void>((resolve) => answers.push(resolve)); // … answered when the test says
      }
    }
    installDynaliteSpeedups(OutOfOrderLevel as unknown as LevelClass);
    const fake = new OutOfOrderLevel() as unknown as LevelDb;
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const first = fake.put('k', { v: 'first' });
    await turn();
    const second = fake.put('k', { v: 'second' });
    await turn();
    answers[1]!(); // the second write is answered first,
    await second;
    answers[0]!(); // the first one last — yet LevelDB holds the second.
    await first;
    const now = fake.get('k');
    await turn();
    expect(await now).toEqual({ v: 'second' });
  });

  it('sends the reads and writes of one turn to LevelDB as one getMany and one batch', async () => {
    const before = { ...calls };
    const keys = Array.from({ length: 100 }, (_, i) => `item-c~${i}`);
    expect(await Promise.all(keys.map((key) => db.get(key)))).toEqual(keys.map(() => undefined));
    expect(calls.getMany - before.getMany).toBe(1);
    await Promise.all(keys.slice(0, 25).map((key, i) => db.put(key, { i })));
    expect(calls.batch - before.batch).toBe(1);
    expect(calls.put - before.put).toBe(0);
    expect(await db.get('item-c~7', JSON_VALUES)).toEqual({ i: 7 });
    // Later reads are answered from memory.
    expect(await Promise.all(keys.slice(0, 30).map((key) => db.get(key)))).toHaveLength(30);
    expect(calls.getMany - before.getMany).toBe(1);
    expect(calls.get - before.get).toBe(1); // the JSON_VALUES read above, past the speed-ups
  });

  it('reads its own writes at once, and deletions as absent', async () => {
    await db.put('item-t~own', { a: 1 });
    expect(await db.get('item-t~own')).toEqual({ a: 1 });
    await db.put('item-t~own', { a: 2 });
    expect(await db.get('item-t~own')).toEqual({ a: 2 });
    await db.del('item-t~own');
    expect(await db.get('item-t~own')).toBeUndefined();
    expect(await stored('item-t~own')).toBeUndefined();
  });

  it('hands out a fresh copy each time, so a caller changing a value changes nothing cached', async () => {
    const value = { list: [1, 2] };
    await db.put('item-t~copy', value);
    value.list.push(3);
    const first = (await db.get('item-t~copy')) as { list: number[] };
    first.list.push(4);
    expect(await db.get('item-t~copy')).toEqual({ list: [1, 2] });
  });

  it('stores the same bytes as LevelDB JSON encoding, seen by iterators', async () => {
    await db.batch([
      { type: 'put', key: 'scan~a', value: { n: 1 } },
      { type: 'put', key: 'scan~b', value: 'text' },
    ]);
    const keys: string[] = [];
    for await (const key of db.keys()) if (key.startsWith('scan~')) keys.push(key);
    expect(keys).toEqual(['scan~a', 'scan~b']);
    expect(await db.get('scan~b', JSON_VALUES)).toBe('text');
    expect(await db.get('scan~a', { valueEncoding: 'utf8' })).toBe('{"n":1}');
  });

  it('turns itself off for a database written in a way it does not follow (a chained batch)', async () => {
    const other = await openDb();
    await other.put('k', { v: 1 });
    expect(await other.get('k')).toEqual({ v: 1 }); // cached now
    const chained = other.batch();
    chained.put('k', { v: 2 });
    await chained.write();
    expect(await other.get('k')).toEqual({ v: 2 });
    await other.close();
  });

  it('answers a closed database with LevelDB’s error, not from memory', async () => {
    const other = await openDb();
    await other.put('k', { v: 1 });
    await other.get('k');
    await other.close();
    await expect(other.get('k')).rejects.toThrow(/not open/i);
  });
});
