/**
 * Where a record is in Kafka as Stratus writes it everywhere — the CLI's DLQ and invoke output, the portal,
 * redrive's ledger, the demo's accounting: `topic/partition@offset`.
 */
export function recordCoordinate(topic: string, partition: number | string, offset: number | string): string {
  return `${topic}/${partition}@${offset}`;
}
