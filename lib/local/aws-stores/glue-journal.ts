/**
 * The Glue catalog's durability: moto keeps Glue in memory, so the gateway appends every Glue write moto
 * acknowledged to this journal (one JSON line, flushed to disk) before it answers the client, and a new moto
 * gets the journal replayed before it serves. A table's registration is thus exactly as after its last
 * acknowledged commit, whatever was killed.
 *
 * The journal stays small: on load, a table's CreateTable and its UpdateTables fold into one CreateTable of
 * its last definition (Glue's UpdateTable replaces the whole TableInput:
 * https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateTable.html), and a deleted table or database
 * leaves nothing. A line torn by a crash in mid-write was never acknowledged and is dropped.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { readLog, rewriteLog } from './append-log.ts';

/** One acknowledged Glue write, as the client sent it. */
export interface GlueWrite {
  /** X-Amz-Target, e.g. `AWSGlue.UpdateTable`. */
  target: string;
  /** The headers moto reads the account and region from. */
  headers: Record<string, string>;
  /** The JSON request body. */
  body: string;
}

/** Glue operations that only read: never journaled. */
export function isGlueRead(target: string): boolean {
  const operation = target.slice(target.indexOf('.') + 1);
  return /^(Get|List|Search|BatchGet|Query|Describe|Check)/.test(operation);
}

export class GlueJournal {
  private fd: number | undefined;

  constructor(readonly file: string) {}

  /**
   * The journal's writes, compacted (and rewritten compacted on disk). A torn last line — the write it held was
   * never answered — is dropped (readLog).
   */
  load(): GlueWrite[] {
    if (!existsSync(this.file)) return [];
    const compacted = compactGlueWrites(readLog(this.file) as GlueWrite[]);
    this.close();
    rewriteLog(this.file, compacted);
    return compacted;
  }

  /** Appends one acknowledged write; on disk when this returns. */
  append(write: GlueWrite): void {
    if (this.fd === undefined) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
    }
    writeSync(this.fd, `${JSON.stringify(write)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Folds a table's history into one CreateTable of its last definition and drops what was deleted. Writes of
 * any other kind are kept as they are, in order; with one of those present nothing is folded (their effect
 * may depend on the order).
 */
export function compactGlueWrites(writes: readonly GlueWrite[]): GlueWrite[] {
  const folded = new Set(['CreateDatabase', 'DeleteDatabase', 'CreateTable', 'UpdateTable', 'DeleteTable']);
  if (!writes.every((write) => folded.has(operationOf(write)))) return [...writes];
  // Per region and database: its creation and its tables' last definitions, in creation order.
  const databases = new Map<string, { create: GlueWrite; tables: Map<string, GlueWrite> }>();
  for (const write of writes) {
    const body = JSON.parse(write.body) as GlueWriteBody;
    const scope = regionOf(write);
    switch (operationOf(write)) {
      case 'CreateDatabase':
        databases.set(`${scope}|${body.DatabaseInput?.Name}`, { create: write, tables: new Map() });
        break;
      case 'DeleteDatabase':
        databases.delete(`${scope}|${body.Name}`);
        break;
      case 'CreateTable':
      case 'UpdateTable': {
        const database = databases.get(`${scope}|${body.DatabaseName}`);
        if (!database) break;
        const { VersionId: _version, SkipArchive: _skip, ...create } = body;
        const target = write.target.replace(/\.UpdateTable$/, '.CreateTable');
        database.tables.set(String(body.TableInput?.Name), {
          target,
          headers: { ...write.headers, 'x-amz-target': target },
          body: JSON.stringify(create),
        });
        break;
      }
      case 'DeleteTable':
        databases.get(`${scope}|${body.DatabaseName}`)?.tables.delete(String(body.Name));
        break;
    }
  }
  return [...databases.values()].flatMap(({ create, tables }) => [create, ...tables.values()]);
}

/** The fields of the folded operations' request bodies that the journal reads. */
interface GlueWriteBody {
  Name?: string;
  DatabaseName?: string;
  DatabaseInput?: { Name?: string };
  TableInput?: { Name?: string };
  VersionId?: string;
  SkipArchive?: boolean;
  [field: string]: unknown;
}

function operationOf(write: GlueWrite): string {
  return write.target.slice(write.target.indexOf('.') + 1);
}

/** The region of the request's SigV4 credential scope (`Credential=AK/20261130/eu-west-1/glue/aws4_request`). */
function regionOf(write: GlueWrite): string {
  return /Credential=[^/]+\/\d+\/([^/]+)\//.exec(write.headers.authorization ?? '')?.[1] ?? '';
}
