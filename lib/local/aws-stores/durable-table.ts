/**
 * A table the gateway serves from memory (memory-table.ts), made durable by an append-only log (append-log.ts):
 * each write is one JSON line — a transaction's writes too, so replay applies it all or nothing — synced before
 * any answer leaves. Every answer, reads included, waits until the writes applied before it are on disk, so no
 * client ever sees a write a crash could still take back.
 *
 * The table itself stays defined in the DynamoDB store (dynalite), empty: DescribeTable, UpdateTimeToLive and
 * the rest of the control plane go there. On the store's first start {@link DurableTable.open} reads the key
 * schema from it, replays the log, imports the items an older Stratus left in the store, and compacts the log
 * into a snapshot (dropping items whose TTL passed over a day ago, as DynamoDB's TTL would have).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AppendLog, readLog, rewriteLog } from './append-log.ts';
import type { Item } from './dynamodb-condition.ts';
import {
  type DynamoDbAnswer,
  notFound,
  type StoreCall,
  storeFailure,
  WRITE_CHUNK,
  writeChunk,
} from './dynamodb-transactions.ts';
import { type KeyType, MemoryTable, type TableChange } from './memory-table.ts';

export interface DurableTableOptions {
  /** The table's name in DynamoDB. */
  name: string;
  /** The log file (created). */
  file: string;
  /**
   * The table's TTL attribute (epoch seconds): compaction drops items over a day past it.
   * @default 'expiration'
   */
  ttlAttribute?: string;
  /** Told what the start-up did (items replayed, imported). */
  log?: (line: string) => void;
}

/** The log's first line: which table and key its items belong to. */
interface LogHeader {
  table: string;
  key: string;
  keyType: KeyType;
}

/** Where requests for the table go: served here, or to the store (the table is missing there, or its key is not one hash attribute). */
export type TableRoute = 'memory' | 'store';

const DAY_SECONDS = 86_400;

export class DurableTable {
  #table: MemoryTable | undefined;
  #log: AppendLog | undefined;
  #opened = false;
  /** Requests wait on it while the table opens, or is created or deleted. */
  #settled: Promise<void>;
  #open!: () => void;

  constructor(private readonly options: DurableTableOptions) {
    this.#settled = new Promise((resolve) => (this.#open = resolve));
  }

  get name(): string {
    return this.options.name;
  }

  get opened(): boolean {
    return this.#opened;
  }

  /** Items held now (tests, the report). */
  get size(): number {
    return this.#table?.size ?? 0;
  }

  /** Where the next request goes, once the table is opened and no CreateTable/DeleteTable is under way. */
  async route(): Promise<TableRoute> {
    await this.#settled;
    return this.#table ? 'memory' : 'store';
  }

  /**
   * Reads the table's key schema from the store, replays the log, imports the items the store holds for the
   * table (then deletes them there), and rewrites the log as a snapshot. Once only; may be run again after a
   * failure.
   */
  async open(store: StoreCall): Promise<void> {
    if (this.#opened) return;
    const { file } = this.options;
    const header = await this.#describe(store);
    let table: MemoryTable | undefined;
    let imported: Item[] = [];
    if (header) {
      table = new MemoryTable(this.name, header.key, header.keyType);
      replay(table, header, readLog(file));
      const replayed = table.size;
      imported = await scanStore(store, this.name);
      if (imported.length > 0) table.apply({ put: imported });
      if (replayed + imported.length > 0)
        this.options.log?.(
          `${this.name}: ${replayed} item(s) replayed from ${file}${imported.length > 0 ? `, ${imported.length} imported from the DynamoDB store` : ''}`,
        );
    }
    // Before anything is deleted from the store, the snapshot holding its items is on disk.
    rewriteLog(file, header ? snapshot(header, table!, this.options.ttlAttribute ?? 'expiration') : []);
    await deleteFromStore(store, this.name, header?.key, imported);
    this.#log = await AppendLog.open(file);
    this.#table = table;
    this.#opened = true;
    this.#open();
  }

  /** Runs one item operation; the answer comes once every write applied so far is on disk. */
  async serve(operation: string, body: Record<string, unknown>): Promise<DynamoDbAnswer> {
    const table = this.#table;
    if (!table || !this.#log) return notFound(this.name);
    const { answer, change } = table.serve(operation, body);
    try {
      if (change) await this.#log.append(change);
      else await this.#log.durable();
    } catch (error) {
      // What the file holds is unknown now: nobody is told anything more until a restart replays it.
      return storeFailure(
        `the local DynamoDB store could not write ${this.#log.file}: ${(error as Error).message}`,
      );
    }
    return answer;
  }

  /**
   * Runs a CreateTable or DeleteTable of this table in the store (`work`); item requests wait meanwhile. Once the
   * store deleted the table, so is everything held here; once it created it, it is served here (empty).
   */
  async change(
    operation: 'CreateTable' | 'DeleteTable',
    store: StoreCall,
    work: () => Promise<DynamoDbAnswer>,
  ) {
    const before = this.#settled;
    let done!: () => void;
    this.#settled = new Promise((resolve) => (done = resolve));
    try {
      await before;
      const answer = await work();
      if (answer.status === 200 && operation === 'DeleteTable' && this.#table) {
        this.#table = undefined;
        await this.#log!.append({ clear: true });
      }
      if (answer.status === 200 && operation === 'CreateTable') {
        const header = await this.#describe(store);
        if (header) {
          // The header starts the new table in the log: what was logged before it is not replayed.
          await this.#log!.append(header);
          this.#table = new MemoryTable(this.name, header.key, header.keyType);
        }
      }
      return answer;
    } finally {
      done();
    }
  }

  async close(): Promise<void> {
    await this.#log?.close();
  }

  /** The table's key in the store; undefined when the store has no such table or its key is not one hash attribute. */
  async #describe(store: StoreCall): Promise<LogHeader | undefined> {
    const answer = await store('DescribeTable', { TableName: this.name });
    if (answer.status !== 200) {
      if (String(answer.payload.__type).endsWith('ResourceNotFoundException')) return undefined;
      throw new Error(`DescribeTable ${this.name} failed: ${JSON.stringify(answer.payload)}`);
    }
    const description = answer.payload.Table as {
      KeySchema: Array<{ AttributeName: string; KeyType: string }>;
      AttributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
    };
    const [hash, ...more] = description.KeySchema;
    if (!hash || more.length > 0) {
      this.options.log?.(
        `${this.name}: its key is not a single hash attribute; served by the DynamoDB store`,
      );
      return undefined;
    }
    const keyType = description.AttributeDefinitions.find((d) => d.AttributeName === hash.AttributeName)
      ?.AttributeType as KeyType;
    return { table: this.name, key: hash.AttributeName, keyType };
  }
}

/**
 * Applies the logged changes that belong to the table as it is now. A header line starts a table afresh (the
 * snapshot's first line, a CreateTable); one with another key schema starts a table since deleted, whose
 * changes are skipped.
 */
function replay(table: MemoryTable, header: LogHeader, entries: unknown[]): void {
  let current = false;
  for (const entry of entries) {
    if ((entry as Partial<LogHeader>).table !== undefined) {
      const logged = entry as LogHeader;
      current = logged.key === header.key && logged.keyType === header.keyType;
      table.apply({ clear: true });
    } else if (current) table.apply(entry as TableChange);
  }
}

/** The log rewritten: its header, then each item; items over a day past their TTL are dropped here and in memory. */
function snapshot(header: LogHeader, table: MemoryTable, ttlAttribute: string): unknown[] {
  const horizon = Date.now() / 1000 - DAY_SECONDS;
  const expired = [...table.items()].filter((item) => Number(item[ttlAttribute]?.N) < horizon);
  if (expired.length > 0)
    table.apply({ delete: expired.map((item) => ({ [header.key]: item[header.key]! })) });
  return [header, ...Array.from(table.items(), (item) => ({ put: [item] }) satisfies TableChange)];
}

/** Every item the store holds for the table (consistent, paged). */
async function scanStore(store: StoreCall, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const answer = await store('Scan', { TableName: table, ConsistentRead: true, ExclusiveStartKey: start });
    if (answer.status !== 200) throw new Error(`Scan ${table} failed: ${JSON.stringify(answer.payload)}`);
    items.push(...((answer.payload.Items ?? []) as Item[]));
    start = answer.payload.LastEvaluatedKey as Record<string, AttributeValue> | undefined;
  } while (start);
  return items;
}

/** Deletes the imported items from the store, so the next start does not import them again. */
async function deleteFromStore(
  store: StoreCall,
  table: string,
  key: string | undefined,
  items: Item[],
): Promise<void> {
  if (!key) return;
  for (let at = 0; at < items.length; at += WRITE_CHUNK) {
    const chunk = {
      [table]: items
        .slice(at, at + WRITE_CHUNK)
        .map((item) => ({ DeleteRequest: { Key: { [key]: item[key] } } })),
    };
    const answer = await writeChunk(chunk, store);
    if (answer.status !== 200)
      throw new Error(
        `deleting the imported items of ${table} from the store failed: ${JSON.stringify(answer.payload)}`,
      );
  }
}
