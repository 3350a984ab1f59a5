/**
 * The unique keys a table already holds, read from its live data files (the current snapshot's manifests),
 * so a delivery never adds a second row for a key: after a crash, a processor that ran a record again writes
 * the same output again, and the table must still hold it once. Firehose upserts on `uniqueKeys` with
 * equality deletes, which pyiceberg cannot read; locally a key already in the table is not written again
 * (identical re-deliveries are what a crash produces). See docs/lakehouse-and-observability.md.
 */
import { parquetReadObjects } from 'hyparquet';
import { readAvroFile } from './avro-container.ts';
import type { FileIO } from './file-io.ts';
import { readManifestList } from './manifest-files.ts';
import { currentSnapshot, type TableMetadata } from './table-metadata.ts';

/** A key's identity: its columns' values as one string (values of string and integer columns). */
export function keyString(values: readonly unknown[]): string {
  const parts = values.map((value) => (value === null || value === undefined ? '\u0001' : String(value)));
  return parts.length === 1 ? parts[0]! : JSON.stringify(parts);
}

/** Every key of the table's current snapshot (status ADDED or EXISTING entries; DELETED ones are gone). */
export async function loadTableKeys(
  io: FileIO,
  metadata: TableMetadata,
  keyColumns: readonly string[],
): Promise<Set<string>> {
  const keys = new Set<string>();
  const snapshot = currentSnapshot(metadata);
  if (!snapshot) return keys;
  const list = await io.read(snapshot['manifest-list']);
  if (!list) throw new Error(`manifest list ${snapshot['manifest-list']} is missing`);
  for (const manifest of (await readManifestList(list)) as Array<{
    manifest_path: string;
    content?: number;
  }>) {
    if (manifest.content === 1) continue; // delete manifests hold no rows
    const bytes = await io.read(manifest.manifest_path);
    if (!bytes) throw new Error(`manifest ${manifest.manifest_path} is missing`);
    const entries = (await readAvroFile(bytes)) as Array<{
      status: number;
      data_file: { file_path: string };
    }>;
    for (const entry of entries) {
      if (entry.status === 2) continue;
      const file = await io.read(entry.data_file.file_path);
      if (!file) throw new Error(`data file ${entry.data_file.file_path} is missing`);
      const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
      const rows = await parquetReadObjects({ file: buffer, columns: [...keyColumns] });
      for (const row of rows) keys.add(keyString(keyColumns.map((column) => row[column])));
    }
  }
  return keys;
}
