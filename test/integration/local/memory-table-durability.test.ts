/**
 * A memory table's acknowledged writes survive kill -9 (lib/local/aws-stores/durable-table.ts): a gateway
 * serving one in its own process (memory-table-child.ts) takes concurrent writes of every kind from the real
 * AWS SDK, and is killed with SIGKILL at a random moment. After a restart on the same log every acknowledged
 * write is there; a write in flight at the kill is there or not, whole (a transaction all or nothing); a
 * torn last line is ignored; the log is compacted to one line per live item. Also: items an older Stratus
 * left in dynalite are imported once and removed there, long-expired ones dropped; DeleteTable empties it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { ensureIdempotencyTable } from '../../../lib/local/aws-resources.ts';
import { startDynamoDbStore } from '../../../lib/local/aws-stores/dynalite.ts';
import type { StoreProcess } from '../../../lib/local/aws-stores/server-process.ts';
import { waitFor } from '../../../lib/local/process-utils.ts';

type Item = Record<string, AttributeValue>;
const TABLE = 'durable';
const CHILD = fileURLToPath(new URL('./memory-table-child.ts', import.meta.url));
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-durable-table-'));
const logFile = path.join(root, 'durable.jsonl');
let dynalite: StoreProcess;
const children: ChildProcess[] = [];

const client = (endpoint: string) =>
  new DynamoDBClient({ ...awsClientConfig({ endpoint, region: 'us-east-1' }), maxAttempts: 1 });

beforeAll(async () => {
  dynalite = await startDynamoDbStore({
    dataDir: path.join(root, 'dynamodb'),
    logFile: path.join(root, 'dynalite.log'),
  });
}, 60_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await dynalite?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Starts the gateway process on the log; its URL and how many items it opened with. */
async function startChild(): Promise<{ child: ChildProcess; url: string; size: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, dynalite.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the gateway process exited (${code}): ${errors}`)));
  });
  return { child, ...(JSON.parse(line) as { url: string; size: number }) };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function scan(target: DynamoDBClient): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  let start: Item | undefined;
  do {
    const page = await target.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.set(item.id!.S!, item);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The lines of the log: every one JSON, the first the header, then one item each. */
function logLines(): unknown[] {
  const text = readFileSync(logFile, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

describe('a memory table killed with SIGKILL', () => {
  it('imports the items dynalite held for the table once, and drops the long-expired ones', async () => {
    const direct = client(dynalite.url);
    await ensureIdempotencyTable({ endpoint: dynalite.url, region: 'us-east-1' }, TABLE);
    const now = Math.floor(Date.now() / 1000);
    const old = [
      { id: { S: 'old-live' }, status: { S: 'COMPLETED' }, expiration: { N: String(now + 3600) } },
      { id: { S: 'old-recent' }, status: { S: 'COMPLETED' }, expiration: { N: String(now - 3600) } },
      { id: { S: 'old-expired' }, status: { S: 'COMPLETED' }, expiration: { N: String(now - 3 * 86_400) } },
    ];
    for (const item of old) await direct.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    const { child, url, size } = await startChild();
    expect(size).toBe(2);
    const served = client(url);
    expect([...(await scan(served)).keys()].sort()).toEqual(['old-live', 'old-recent']);
    // Moved, not copied: dynalite's table is empty, so a restart imports nothing again.
    expect((await scan(direct)).size).toBe(0);
    expect(logLines()).toHaveLength(3);
    await kill(child);
    const again = await startChild();
    expect(again.size).toBe(2);
    await kill(again.child);
    direct.destroy();
    served.destroy();
  }, 60_000);

  it('keeps every acknowledged write through three kills at random moments', {
    timeout: 180_000,
  }, async () => {
    /** What each key holds as far as acknowledged answers go (null: deleted). */
    const acknowledged = new Map<string, Item | null>();
    for (const id of ['old-live', 'old-recent']) acknowledged.set(id, null);
    let next = 0;
    /** The keys of each transaction sent. */
    const transactions: string[][] = [];
    for (let round = 0; round < 3; round++) {
      const { child, url } = await startChild();
      const served = client(url);
      // Keys the old items were: read their state once.
      for (const [id, item] of await scan(served)) acknowledged.set(id, item);
      for (const [id, item] of acknowledged) if (item === null) acknowledged.delete(id);
      /** Keys with a write in flight: the state before it and after it. */
      const inFlight = new Map<string, [Item | null, Item | null]>();
      let stop = false;
      /** Writes acknowledged in this round. */
      let acks = 0;
      const writer = async (w: number) => {
        const mine: string[] = [...acknowledged.keys()].filter((id) => id.startsWith(`w${w}-`));
        for (let step = 0; !stop; step++) {
          const kind = step % 5;
          const changes = new Map<string, Item | null>();
          let send: () => Promise<unknown>;
          if (kind === 0 || mine.length === 0) {
            const item = { id: { S: `w${w}-${next++}` }, v: { N: String(step) } };
            changes.set(item.id.S, item);
            send = () => served.send(new PutItemCommand({ TableName: TABLE, Item: item }));
          } else if (kind === 1) {
            const id = mine[step % mine.length]!;
            changes.set(id, { ...(acknowledged.get(id) ?? { id: { S: id } }), v: { N: String(-step) } });
            send = () =>
              served.send(
                new UpdateItemCommand({
                  TableName: TABLE,
                  Key: { id: { S: id } },
                  UpdateExpression: 'SET v = :v',
                  ExpressionAttributeValues: { ':v': { N: String(-step) } },
                }),
              );
          } else if (kind === 2) {
            const id = mine.splice(step % mine.length, 1)[0]!;
            changes.set(id, null);
            send = () => served.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: { S: id } } }));
          } else if (kind === 3) {
            const items = [0, 1, 2, 3, 4].map(() => ({ id: { S: `w${w}-${next++}` }, b: { S: 'batch' } }));
            for (const item of items) changes.set(item.id.S, item);
            send = () =>
              served.send(
                new BatchWriteItemCommand({
                  RequestItems: { [TABLE]: items.map((Item) => ({ PutRequest: { Item } })) },
                }),
              );
          } else {
            // Keys of their own, never written again: the three must stay together.
            const items = [0, 1, 2].map(() => ({ id: { S: `tx${w}-${next++}` }, t: { S: 'tx' } }));
            for (const item of items) changes.set(item.id.S, item);
            transactions.push(items.map((item) => item.id.S));
            send = () =>
              served.send(
                new TransactWriteItemsCommand({
                  TransactItems: items.map((Item) => ({
                    Put: { TableName: TABLE, Item, ConditionExpression: 'attribute_not_exists(id)' },
                  })),
                }),
              );
          }
          for (const [id, after] of changes) inFlight.set(id, [acknowledged.get(id) ?? null, after]);
          try {
            await send();
          } catch {
            return; // the process is gone: these writes stay in flight
          }
          acks++;
          for (const [id, after] of changes) {
            inFlight.delete(id);
            if (after) acknowledged.set(id, after);
            else acknowledged.delete(id);
            if (after && id.startsWith('w') && !mine.includes(id)) mine.push(id);
          }
        }
      };
      const writers = Array.from({ length: 12 }, (_, w) => writer(w));
      // Killed at a random moment once the writers are under way: a fixed delay alone left a loaded CI machine
      // with 9 acknowledged writes when the kill came (a round must test more than the writers' start).
      await waitFor('20 acknowledged writes', async () => acks >= 20, { timeoutMs: 60_000, intervalMs: 5 });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1200));
      await kill(child);
      stop = true;
      await Promise.all(writers);
      served.destroy();
      if (round === 1) appendFileSync(logFile, '{"put":[{"id":{"S":"torn-'); // a write cut in mid-line

      const restarted = await startChild();
      const reader = client(restarted.url);
      const found = await scan(reader);
      for (const [id, item] of acknowledged)
        if (!inFlight.has(id)) expect({ id, item: found.get(id) }).toEqual({ id, item });
      for (const [id, [before, after]] of inFlight)
        expect([before ?? undefined, after ?? undefined]).toContainEqual(found.get(id));
      // Nothing else: no torn item, no write nobody made.
      for (const id of found.keys()) expect(acknowledged.has(id) || inFlight.has(id)).toBe(true);
      // A transaction is all or nothing: its three items are there together or not at all.
      for (const group of transactions) {
        const present = group.filter((id) => found.has(id)).length;
        expect({ group, present: present === 0 || present === group.length }).toEqual({
          group,
          present: true,
        });
      }
      // Compacted at the restart: the header and one line per live item.
      const lines = logLines();
      expect(lines).toHaveLength(found.size + 1);
      for (const [id, item] of found) {
        acknowledged.set(id, item);
      }
      for (const id of [...acknowledged.keys()]) if (!found.has(id)) acknowledged.delete(id);
      reader.destroy();
      await kill(restarted.child);
    }
  });

  it('is emptied by DeleteTable, durably, and served again once created', async () => {
    const { child, url } = await startChild();
    const served = client(url);
    expect((await scan(served)).size).toBeGreaterThan(0);
    await served.send(new DeleteTableCommand({ TableName: TABLE }));
    await expect(scan(served)).rejects.toThrow(/not found/);
    await served.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect((await scan(served)).size).toBe(0);
    await served.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'after' } } }));
    await kill(child);
    served.destroy();
    const again = await startChild();
    const reader = client(again.url);
    expect([...(await scan(reader)).keys()]).toEqual(['after']);
    // Nothing of it went to dynalite.
    const direct = client(dynalite.url);
    expect((await scan(direct)).size).toBe(0);
    reader.destroy();
    direct.destroy();
    await kill(again.child);
  }, 60_000);
});
