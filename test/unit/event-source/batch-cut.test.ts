import { describe, expect, it } from 'vitest';
import type { MskRecord } from '../../../lib/core/msk-event.ts';
import { batchReady, cutBatch } from '../../../lib/local/event-source/batch-cut.ts';
import { recordPayloadBytes } from '../../../lib/local/event-source/record.ts';

const rec = (offset: number, size = 10): MskRecord => ({
  topic: 't',
  partition: 0,
  offset,
  timestamp: 0,
  timestampType: 'CREATE_TIME',
  value: 'x'.repeat(size),
  headers: [],
});

describe('batching', () => {
  const limits = { batchSize: 3, batchWindowMs: 500, maxPayloadBytes: 1_000_000, overheadBytes: 100 };

  it('is ready when the batch size is reached, else when the window expires', () => {
    const three = [rec(1), rec(2), rec(3)];
    expect(batchReady(three, 1_000, 1_000, limits)).toEqual({ ready: true });
    expect(batchReady([rec(1)], 1_000, 1_200, limits)).toEqual({ ready: false, waitMs: 300 });
    expect(batchReady([rec(1)], 1_000, 1_500, limits)).toEqual({ ready: true });
  });

  it('cuts at the batch size', () => {
    expect(cutBatch([rec(1), rec(2), rec(3), rec(4)], limits).batch.map((r) => r.offset)).toEqual([1, 2, 3]);
  });

  it('cuts before the payload cap and reports a record that alone exceeds it', () => {
    const one = recordPayloadBytes(rec(1, 400));
    const capped = { ...limits, maxPayloadBytes: 100 + 2 * one };
    const records = [rec(1, 400), rec(2, 400), rec(3, 400)];
    expect(batchReady(records, 0, 0, { ...capped, batchSize: 10 })).toEqual({ ready: true });
    expect(cutBatch(records, { ...capped, batchSize: 10 }).batch.map((r) => r.offset)).toEqual([1, 2]);
    const huge = cutBatch([rec(1, 5_000), rec(2)], capped);
    expect(huge.batch).toEqual([]);
    expect(huge.oversized?.offset).toBe(1);
  });
});
