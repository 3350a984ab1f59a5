/**
 * Dynamic partitioning of `parquet`/`json` sinks: the S3 key segments (`day=2026-11-24/`) a record lands
 * under. The CDK turns these rules into Firehose's jq query; the local sink evaluates them directly, so both
 * put a record under the same key.
 * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-partitioning-keys.html
 */
import type { PartitionFieldSpec } from '../manifest/spec.ts';

/** Time transforms slice the ISO 8601 timestamp: `2026-11-24T07:30:00Z`[0:10] is the day. */
export const TIME_TRANSFORM_LENGTH: Readonly<Record<string, number>> = {
  year: 4,
  month: 7,
  day: 10,
  hour: 13,
};

/** The partition key's name: the field for identity, `<field>_trunc` for truncate, else the transform. */
export function partitionKeyName(field: PartitionFieldSpec): string {
  switch (field.transform) {
    case 'identity':
      return field.field;
    case 'truncate':
      return `${field.field}_trunc`;
    default:
      return field.transform;
  }
}

/** The key segments of one record value, e.g. `day=2026-11-24/`, as Firehose's query computes them. */
export function partitionSegments(
  fields: readonly PartitionFieldSpec[],
  value: Record<string, unknown>,
): string {
  return fields
    .map((field) => {
      const raw = value[field.field];
      const text =
        raw === undefined || raw === null ? 'null' : typeof raw === 'string' ? raw : JSON.stringify(raw);
      switch (field.transform) {
        case 'identity':
          return `${partitionKeyName(field)}=${text}/`;
        case 'truncate':
          return `${partitionKeyName(field)}=${text.slice(0, field.param)}/`;
        case 'bucket':
          throw new Error(
            'bucket() partitioning is for iceberg sinks; Firehose dynamic partitioning has no hash',
          );
        default:
          return `${partitionKeyName(field)}=${text.slice(0, TIME_TRANSFORM_LENGTH[field.transform])}/`;
      }
    })
    .join('');
}
