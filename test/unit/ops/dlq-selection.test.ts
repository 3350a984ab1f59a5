import { describe, expect, it } from 'vitest';
import { buildDeadLetter } from '../../../lib/core/dlq-envelope.ts';
import { encodeHeaders } from '../../../lib/core/msk-event.ts';
import { toDlqEntry } from '../../../lib/ops/dlq/entry.ts';
import { parseDlqRecordId } from '../../../lib/ops/dlq/record-id.ts';
import { decodeBase64Value, formatAge } from '../../../lib/ops/dlq/render.ts';
import { countByErrorClass, matchesDlqFilter, parseDlqFilter } from '../../../lib/ops/dlq/select.ts';

function entry(consumer: string, error: Error, offset: number, headers: Record<string, string> = {}) {
  const { message } = buildDeadLetter({
    tenant: 'payments',
    consumer,
    reason: 'RETRIES_EXHAUSTED',
    error,
    record: {
      topic: 'payments.orders',
      partition: 1,
      offset: 40 + offset,
      timestamp: 1_795_000_000_000,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('k').toString('base64'),
      value: Buffer.from('{"id":1}').toString('base64'),
      headers: encodeHeaders(headers),
    },
    attempts: 4,
    firstFailureAt: new Date('2026-11-24T09:00:00Z'),
    now: new Date('2026-11-24T09:00:05Z'),
  });
  return toDlqEntry({
    topic: 'payments.dlq',
    partition: 0,
    offset: String(offset),
    timestamp: String(Date.parse('2026-11-24T09:00:05Z')),
    key: message.key,
    value: Buffer.from(message.value),
    headers: message.headers,
  });
}

describe('DLQ record ids', () => {
  it('accepts <partition>:<offset> and <tenant>.dlq/<partition>/<offset>', () => {
    expect(parseDlqRecordId('1:42')).toEqual({ partition: 1, offset: '42' });
    expect(parseDlqRecordId('payments.dlq/1/42')).toEqual({
      topic: 'payments.dlq',
      partition: 1,
      offset: '42',
    });
    expect(parseDlqRecordId('42')).toBeUndefined();
    expect(parseDlqRecordId('dlq/1/42')).toBeUndefined();
  });
});

describe('DLQ selection', () => {
  const typeError = Object.assign(new Error('x is undefined'), { name: 'TypeError' });
  const entries = [
    entry('enrich-orders', typeError, 0),
    entry('enrich-orders', new RangeError('too big'), 1),
    entry('audit', typeError, 2, { 'stratus-redrive-count': '2' }),
  ];

  it('reads the redrive count the original record carried', () => {
    expect(entries.map((e) => e.redriveCount)).toEqual([0, 0, 2]);
    expect(entries[0]?.id).toBe('0:0');
  });

  it('filters by consumer, error class, reason and time', () => {
    const byConsumer = entries.filter((e) => matchesDlqFilter(e, { consumer: 'enrich-orders' }));
    expect(byConsumer.map((e) => e.id)).toEqual(['0:0', '0:1']);
    const byError = entries.filter((e) =>
      matchesDlqFilter(e, { match: [parseDlqFilter('error=TypeError')] }),
    );
    expect(byError.map((e) => e.id)).toEqual(['0:0', '0:2']);
    expect(
      entries.every((e) => matchesDlqFilter(e, { match: [parseDlqFilter('reason=RETRIES_EXHAUSTED')] })),
    ).toBe(true);
    expect(entries.some((e) => matchesDlqFilter(e, { since: new Date('2026-11-24T10:00:00Z') }))).toBe(false);
  });

  it('counts by error class, largest first', () => {
    expect(countByErrorClass(entries)).toEqual([
      { errorClass: 'TypeError', count: 2 },
      { errorClass: 'RangeError', count: 1 },
    ]);
  });

  it('rejects a filter it does not know', () => {
    expect(() => parseDlqFilter('colour=red')).toThrow(
      /not one of error=<value>, reason=<value>, topic=<value>/,
    );
    expect(() => parseDlqFilter('error=')).toThrow();
  });

  it('an unreadable record is listed with its problem, never redriven', () => {
    const bad = toDlqEntry({
      topic: 'payments.dlq',
      partition: 0,
      offset: '9',
      timestamp: '0',
      key: null,
      value: Buffer.from('garbage'),
      headers: {},
    });
    expect(bad).toMatchObject({ problem: 'not JSON', redriveCount: 0 });
    expect(bad.envelope).toBeUndefined();
  });
});

describe('DLQ rendering helpers', () => {
  it('decodes values as JSON, then text, then keeps base64', () => {
    expect(decodeBase64Value(Buffer.from('{"a":1}').toString('base64'))).toEqual({ a: 1 });
    expect(decodeBase64Value(Buffer.from('plain').toString('base64'))).toBe('plain');
    expect(decodeBase64Value(Buffer.from([0xff, 0xfe]).toString('base64'))).toEqual({ base64: '//4=' });
    expect(decodeBase64Value(null)).toBeNull();
  });

  it('prints ages in the largest sensible unit', () => {
    const now = 1_000_000_000;
    expect(formatAge(now - 30_000, now)).toBe('30s');
    expect(formatAge(now - 30 * 60_000, now)).toBe('30m');
    expect(formatAge(now - 5 * 3_600_000, now)).toBe('5h');
    expect(formatAge(now - 3 * 86_400_000, now)).toBe('3d');
  });
});
