/**
 * Reads the SDK's drop evidence (lib/core/drop-evidence.ts) back from the handlers' log file — locally what the
 * function's CloudWatch log group is on AWS — so the accounting can tell a deliberate drop from a loss without
 * asking the runtime. Only the part written since `from` is read: the file is appended to by every run.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { type DropReason, parseDropEvidence } from '../../core/drop-evidence.ts';
import { consumerGroupId } from '../../core/naming.ts';
import { recordCoordinate } from '../../core/record-coordinate.ts';
import type { DroppedRecords } from './accounting.ts';

/** The log's size now (0 when it does not exist yet): where a run's own lines will start. */
export function logPosition(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Every drop listed in `file` after byte `from`, by consumer group id. */
export function readDroppedRecords(file: string, from: number): DroppedRecords {
  const dropped = new Map<string, Map<string, Set<DropReason>>>();
  for (const line of linesAfter(file, from)) {
    const evidence = parseDropEvidence(line);
    if (!evidence) continue;
    const groupId = consumerGroupId(evidence.tenant, evidence.consumer);
    let byRecord = dropped.get(groupId);
    if (!byRecord) {
      byRecord = new Map();
      dropped.set(groupId, byRecord);
    }
    for (const { topic, partition, offset, reason } of evidence.records) {
      const at = recordCoordinate(topic, partition, offset);
      let reasons = byRecord.get(at);
      if (!reasons) {
        reasons = new Set();
        byRecord.set(at, reasons);
      }
      reasons.add(reason);
    }
  }
  return dropped;
}

function* linesAfter(file: string, from: number): Generator<string> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return;
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    let position = from;
    let partial = '';
    // A chunk may end inside a multi-byte character; the decoder keeps it for the next one.
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      position += read;
      const lines = (partial + decoder.write(chunk.subarray(0, read))).split('\n');
      partial = lines.pop() ?? '';
      yield* lines;
    }
    if (partial) yield partial;
  } finally {
    closeSync(fd);
  }
}
