import { describe, expect, it } from 'vitest';
import type { MskRecord } from '../../../lib/core/msk-event.ts';
import { interpretBatchResponse } from '../../../lib/local/event-source/batch-response.ts';
import { decide, retryPolicyFor, splitExpired } from '../../../lib/local/event-source/retry-policy.ts';

const rec = (offset: number, timestamp = 0): MskRecord => ({
  topic: 'orders',
  partition: 0,
  offset,
  timestamp,
  timestampType: 'CREATE_TIME',
  value: '',
  headers: [],
});
const batch = [10, 11, 12, 13].map((offset) => rec(offset));
const offsets = (records: MskRecord[]) => records.map((r) => r.offset);
const failure = (partition: string, offset: unknown) => ({ itemIdentifier: { partition, offset } });

describe('retryPolicyFor', () => {
  it('caps infinite retries at 10 when there is an on-failure destination', () => {
    const base = { maxRecordAgeMs: -1, bisectOnError: false };
    expect(retryPolicyFor({ ...base, retries: -1, onFailureTopic: 't.dlq' }).maxRetries).toBe(10);
    expect(retryPolicyFor({ ...base, retries: -1 }).maxRetries).toBe(-1);
    expect(retryPolicyFor({ ...base, retries: 3, onFailureTopic: 't.dlq' }).maxRetries).toBe(3);
  });
});

describe('decide', () => {
  const policy = { maxRetries: 2, maxRecordAgeMs: -1, bisectOnError: false };

  it('retries the same batch until retries are used up, then gives it up', () => {
    const first = decide({ records: batch, retries: 0 }, { kind: 'error' }, policy);
    expect(first.retry).toEqual([{ records: batch, retries: 1 }]);
    const last = decide({ records: batch, retries: 2 }, { kind: 'error' }, policy);
    expect(last.retry).toEqual([]);
    expect(offsets(last.exhausted)).toEqual([10, 11, 12, 13]);
  });

  it('bisects without spending a retry, and retries a single record', () => {
    const split = decide(
      { records: batch, retries: 1 },
      { kind: 'error' },
      { ...policy, bisectOnError: true },
    );
    expect(split.retry.map((s) => [offsets(s.records), s.retries])).toEqual([
      [[10, 11], 1],
      [[12, 13], 1],
    ]);
    const single = decide(
      { records: [rec(10)], retries: 0 },
      { kind: 'error' },
      { ...policy, bisectOnError: true },
    );
    expect(single.retry.map((s) => [offsets(s.records), s.retries])).toEqual([[[10], 1]]);
  });

  it('partial failure: records before the lowest failed offset succeed, the rest is retried', () => {
    const verdict = interpretBatchResponse(batch, {
      batchItemFailures: [failure('orders-0', 13), failure('orders-0', 11)],
    });
    const decision = decide({ records: batch, retries: 0 }, verdict as never, policy);
    expect(offsets(decision.succeeded)).toEqual([10]);
    expect(decision.retry.map((s) => [offsets(s.records), s.retries])).toEqual([[[11, 12, 13], 1]]);
  });

  it('partial failure out of retries: the reported records are given up, the others start over', () => {
    const verdict = interpretBatchResponse(batch, { batchItemFailures: [failure('orders-0', 11)] });
    const decision = decide({ records: batch, retries: 2 }, verdict as never, policy);
    expect(offsets(decision.exhausted)).toEqual([11]);
    expect(decision.retry.map((s) => [offsets(s.records), s.retries])).toEqual([[[12, 13], 0]]);
  });

  it('splits expired records out', () => {
    const records = [rec(1, 1_000), rec(2, 9_000)];
    const { expired, live } = splitExpired(records, 10_000, { ...policy, maxRecordAgeMs: 5_000 });
    expect(offsets(expired)).toEqual([1]);
    expect(offsets(live)).toEqual([2]);
  });
});

describe('interpretBatchResponse', () => {
  it('treats no response, no list and an empty list as success', () => {
    for (const response of [
      undefined,
      null,
      {},
      { batchItemFailures: [] },
      { batchItemFailures: null },
      'ok',
    ]) {
      expect(interpretBatchResponse(batch, response).kind).toBe('success');
    }
  });

  it('treats unknown offsets, unknown partitions and malformed entries as a whole-batch failure', () => {
    for (const batchItemFailures of [
      [failure('orders-0', 99)],
      [failure('orders-1', 10)],
      [{ itemIdentifier: null }],
      [failure('orders-0', 'x')],
      'nope',
    ]) {
      expect(interpretBatchResponse(batch, { batchItemFailures }).kind).toBe('invalid');
    }
  });
});
