/**
 * How `stratus dlq` names one dead-lettered record: `<partition>:<offset>` inside the tenant's DLQ topic
 * (what `dlq list` prints), or the fully qualified `<topic>/<partition>/<offset>` that also names the tenant.
 */
import { parseQualifiedName } from '../../core/naming.ts';

export interface DlqRecordId {
  /** Set when the id was fully qualified. */
  topic?: string;
  partition: number;
  offset: string;
}

export function formatDlqRecordId(partition: number, offset: string | number): string {
  return `${partition}:${offset}`;
}

/** The ledger key and `stratus-redriven-from` value of a DLQ record: `<topic>/<partition>/<offset>`. */
export function qualifiedDlqRecordId(topic: string, partition: number, offset: string | number): string {
  return `${topic}/${partition}/${offset}`;
}

/** Parses either form; undefined when it is neither. */
export function parseDlqRecordId(id: string): DlqRecordId | undefined {
  const short = /^(\d+):(\d+)$/.exec(id);
  if (short) return { partition: Number(short[1]), offset: String(BigInt(short[2] ?? '0')) };
  const qualified = /^([^/\s]+)\/(\d+)\/(\d+)$/.exec(id);
  if (qualified && parseQualifiedName(qualified[1] ?? ''))
    return {
      topic: qualified[1],
      partition: Number(qualified[2]),
      offset: String(BigInt(qualified[3] ?? '0')),
    };
  return undefined;
}
