import { describe, expect, it } from 'vitest';
import { partitionSegments } from '../../../lib/core/s3-partitioning.ts';
import { type BufferedRecord, DeliveryBuffer, nextOffsets } from '../../../lib/local/sink/delivery-buffer.ts';
import { objectName, timePrefix } from '../../../lib/local/sink/object-target.ts';

describe('Firehose S3 layout', () => {
  const at = Date.UTC(2026, 10, 4, 7, 5, 9);

  it('time prefix yyyy/MM/dd/HH/ in UTC', () => {
    expect(timePrefix(at)).toBe('2026/11/04/07/');
  });

  it('object name <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>', () => {
    expect(objectName('stratus-clickstream-sessions-s3', at)).toMatch(
      /^stratus-clickstream-sessions-s3-1-2026-11-04-07-05-09-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('dynamic partitioning keys like the CDK jq query', () => {
    const record = { viewedAt: '2026-11-24T07:30:00Z', country: 'FR', customerId: 'cust-12345' };
    expect(
      partitionSegments(
        [
          { transform: 'day', field: 'viewedAt' },
          { transform: 'hour', field: 'viewedAt' },
          { transform: 'identity', field: 'country' },
          { transform: 'truncate', field: 'customerId', param: 6 },
        ],
        record,
      ),
    ).toBe('day=2026-11-24/hour=2026-11-24T07/country=FR/customerId_trunc=cust-1/');
  });
});

describe('DeliveryBuffer', () => {
  const record = (partition: number, offset: number, bytes = 10): BufferedRecord => ({
    topic: 't.x',
    partition,
    offset: String(offset),
    timestampMs: 1000 + offset,
    arrivalMs: 5000 + offset,
    value: Buffer.alloc(bytes),
  });

  it('is full at its size and gives next offsets per topic-partition', () => {
    const buffer = new DeliveryBuffer(25);
    buffer.add(record(0, 4));
    buffer.add(record(1, 9));
    expect(buffer.full).toBe(false);
    buffer.add(record(0, 5));
    expect(buffer.full).toBe(true);
    expect(buffer.oldestTimestampMs).toBe(1004);
    expect(nextOffsets(buffer.drain())).toEqual({ 't.x-0': '6', 't.x-1': '10' });
    expect(buffer.count).toBe(0);
  });

  it('puts a failed delivery back in front, in order', () => {
    const buffer = new DeliveryBuffer(1000);
    buffer.add(record(0, 1));
    const failed = buffer.drain();
    buffer.add(record(0, 2));
    buffer.restore(failed);
    expect(buffer.drain().map((r) => r.offset)).toEqual(['1', '2']);
  });
});
