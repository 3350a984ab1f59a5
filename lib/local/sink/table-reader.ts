/**
 * Runs read_table.py (pyiceberg / pyarrow from the project's virtualenv) and returns what it read: the
 * independent check of what the sink wrote, used by the tests and by `stratus demo`'s row counts.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonEnv } from '../python-env.ts';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'read_table.py');

export interface TableReadout {
  rowCount: number;
  rows?: Record<string, unknown>[];
  /** Iceberg tables only. */
  schema?: { id?: number; name: string; type: string; required?: boolean }[];
  identifierFieldIds?: number[];
  partitionSpec?: { sourceId: number; fieldId: number; name: string; transform: string }[];
  plannedFiles?: number;
  partitions?: string[];
  snapshotSummary?: Record<string, string> | null;
  /** Object sinks only: the object keys. */
  keys?: string[];
}

/**
 * @param request a Lakehouse's readerRequest()/objectsReaderRequest(), plus optional `rowFilter` and `rows: false`
 * @param options.python the interpreter; default: the project's virtualenv (created on first use)
 */
export async function readTable(
  request: Record<string, unknown>,
  options: { python?: string } = {},
): Promise<TableReadout> {
  const python = options.python ?? (await ensurePythonEnv()).python;
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [SCRIPT, JSON.stringify(request)],
      { maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          return reject(new Error(`read_table.py failed: ${stderr.trim().split('\n').slice(-5).join('\n')}`));
        resolve(JSON.parse(stdout) as TableReadout);
      },
    );
  });
}
