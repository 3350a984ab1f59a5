import { describe, expect, it } from 'vitest';
import type { IcebergSchema } from '../../../lib/local/sink/iceberg-schema.ts';
import { murmur3x86_32 } from '../../../lib/local/sink/murmur3.ts';
import { bindPartitionSpec, partitionPath, partitionSpec } from '../../../lib/local/sink/partition-spec.ts';
import type { IcebergValue } from '../../../lib/local/sink/row-values.ts';
import type { PartitionFieldSpec } from '../../../lib/manifest/spec.ts';

const schema: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'ts', required: true, type: 'timestamptz' },
    { id: 2, name: 'd', required: true, type: 'date' },
    { id: 3, name: 'n', required: true, type: 'long' },
    { id: 4, name: 's', required: false, type: 'string' },
  ],
};

function transform(spec: PartitionFieldSpec, values: IcebergValue[]): IcebergValue[] {
  const [bound] = bindPartitionSpec(schema, partitionSpec(schema, [spec]));
  return values.map((v) => bound!.apply(v));
}

// Expected values were computed with pyiceberg 0.12's transforms (the reader the tests trust).
const TIMESTAMPS = [1510871468000001n, -1n, 0n, 1795133700000250n, -86_400_000_000n * 400n + 5n];

describe('partition transforms match pyiceberg', () => {
  it('year, month, day, hour of timestamps, before and after 1970', () => {
    expect(transform({ transform: 'year', field: 'ts' }, TIMESTAMPS)).toEqual([47, -1, 0, 56, -2]);
    expect(transform({ transform: 'month', field: 'ts' }, TIMESTAMPS)).toEqual([574, -1, 0, 682, -14]);
    expect(transform({ transform: 'day', field: 'ts' }, TIMESTAMPS)).toEqual([17486, -1, 0, 20777, -400]);
    expect(transform({ transform: 'hour', field: 'ts' }, TIMESTAMPS)).toEqual([419686, -1, 0, 498648, -9600]);
  });

  it('year, month, day of dates', () => {
    const dates = [17486, -1, 0, -400];
    expect(transform({ transform: 'year', field: 'd' }, dates)).toEqual([47, -1, 0, -2]);
    expect(transform({ transform: 'month', field: 'd' }, dates)).toEqual([574, -1, 0, -14]);
    expect(transform({ transform: 'day', field: 'd' }, dates)).toEqual(dates);
  });

  it('bucket[16] of longs, strings, timestamps and dates', () => {
    expect(transform({ transform: 'bucket', field: 'n', param: 16 }, [34n, -7n, 0n, 1234567890123n])).toEqual(
      [3, 5, 12, 14],
    );
    expect(transform({ transform: 'bucket', field: 's', param: 16 }, ['iceberg', '', 'ünïcödé'])).toEqual([
      9, 0, 4,
    ]);
    expect(transform({ transform: 'bucket', field: 'ts', param: 16 }, TIMESTAMPS)).toEqual([6, 8, 12, 5, 7]);
    expect(transform({ transform: 'bucket', field: 'd', param: 16 }, [17486])).toEqual([10]);
  });

  it('truncate of longs (towards negative infinity) and strings (by code point)', () => {
    expect(
      transform({ transform: 'truncate', field: 'n', param: 10 }, [1n, -1n, 10n, -10n, 12345n, -12345n]),
    ).toEqual([0n, -10n, 10n, -10n, 12340n, -12350n]);
    expect(transform({ transform: 'truncate', field: 's', param: 3 }, ['iceberg', 'ab', 'ünïcödé'])).toEqual([
      'ice',
      'ab',
      'ünï',
    ]);
  });

  it('null stays null', () => {
    expect(transform({ transform: 'bucket', field: 's', param: 4 }, [null])).toEqual([null]);
  });

  it('murmur3 gives the spec’s Appendix B hashes', () => {
    const long34 = new Uint8Array(8);
    new DataView(long34.buffer).setBigInt64(0, 34n, true);
    expect(murmur3x86_32(long34)).toBe(2017239379);
    expect(murmur3x86_32(new TextEncoder().encode('iceberg'))).toBe(1210000089);
  });
});

describe('partition spec and paths', () => {
  it('names fields <column>_<transform> with ids from 1000, like the CDK table', () => {
    const spec = partitionSpec(schema, [
      { transform: 'day', field: 'ts' },
      { transform: 'bucket', field: 's', param: 8 },
    ]);
    expect(spec).toEqual({
      'spec-id': 0,
      fields: [
        { 'source-id': 1, 'field-id': 1000, name: 'ts_day', transform: 'day' },
        { 'source-id': 4, 'field-id': 1001, name: 's_bucket', transform: 'bucket[8]' },
      ],
    });
  });

  it('lays data files out in human-readable partition directories', () => {
    const bound = bindPartitionSpec(
      schema,
      partitionSpec(schema, [
        { transform: 'hour', field: 'ts' },
        { transform: 'month', field: 'd' },
        { transform: 'identity', field: 's' },
      ]),
    );
    expect(partitionPath(bound, [498648, 682, 'a b/c'])).toBe(
      'ts_hour=2026-11-20-00/d_month=2026-11/s_identity=a%20b%2Fc',
    );
    expect(partitionPath(bound, [null, -1, null])).toBe('ts_hour=null/d_month=1969-12/s_identity=null');
  });

  it('refuses a time transform on a non-time column', () => {
    expect(() =>
      bindPartitionSpec(schema, partitionSpec(schema, [{ transform: 'day', field: 'n' }])),
    ).toThrow(/day\(n\) needs a date or date-time column, not long/);
  });
});
