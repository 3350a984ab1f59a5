import { describe, expect, it } from 'vitest';
import {
  invocationTraceId,
  LINEAGE_HEADERS,
  lineageHeaders,
  producerLineageHeaders,
} from '../../../functions/sdk/lineage.ts';
import { outputRecord, outputsOf, toMessage, toMessages } from '../../../functions/sdk/output.ts';
import { mskRecord } from './msk-fixtures.ts';

describe('processor outputs', () => {
  it('treats null and undefined as "drop the record"', () => {
    expect(outputsOf(null)).toEqual([]);
    expect(outputsOf(undefined)).toEqual([]);
  });

  it('accepts one value, an array of values, and explicit output records', () => {
    expect(outputsOf({ a: 1 }).map((o) => o.value)).toEqual([{ a: 1 }]);
    expect(
      outputsOf([{ a: 1 }, outputRecord({ value: { a: 2 }, key: 'k2' })]).map((o) => [o.value, o.key]),
    ).toEqual([
      [{ a: 1 }, undefined],
      [{ a: 2 }, 'k2'],
    ]);
  });

  it('keeps the source key unless the processor sets one (null removes it)', () => {
    const sourceKey = Buffer.from('user-7').toString('base64');
    const [plain, keyed, unkeyed] = outputsOf([
      { n: 1 },
      outputRecord({ value: { n: 2 }, key: 'other' }),
      outputRecord({ value: { n: 3 }, key: null }),
    ]).map((output) => toMessage(output, sourceKey, {}));
    expect(plain?.key?.toString()).toBe('user-7');
    expect(keyed?.key).toBe('other');
    expect(unkeyed?.key).toBeNull();
    expect(plain?.value).toBe('{"n":1}');
  });

  it('adds lineage headers, which win over a handler header of the same name', () => {
    const lineage = { [LINEAGE_HEADERS.tenant]: 'payments' };
    const message = toMessage(
      outputRecord({ value: 1, headers: { [LINEAGE_HEADERS.tenant]: 'spoofed', extra: 'x' } }),
      undefined,
      lineage,
    );
    expect(message.headers).toEqual({
      [LINEAGE_HEADERS.tenant]: 'payments',
      [LINEAGE_HEADERS.outputIndex]: '0',
      [LINEAGE_HEADERS.outputCount]: '1',
      extra: 'x',
    });
  });

  it("numbers each output of a record by its position, so a fan-out's outputs are distinct", () => {
    const lineage = () => ({ [LINEAGE_HEADERS.sourceOffset]: '7' });
    const messages = toMessages(
      ['a', outputRecord({ value: 'b', headers: { [LINEAGE_HEADERS.outputIndex]: '9' } }), 'c'],
      undefined,
      lineage,
    );
    expect(messages.map((m) => m.headers)).toEqual(
      ['0', '1', '2'].map((index) => ({
        [LINEAGE_HEADERS.sourceOffset]: '7',
        [LINEAGE_HEADERS.outputIndex]: index,
        [LINEAGE_HEADERS.outputCount]: '3',
      })),
    );
    expect(toMessages([], undefined, lineage)).toEqual([]);
  });
});

describe('lineage', () => {
  const source = mskRecord({ topic: 'payments.orders', partition: 2, offset: 9, value: {} });

  it('records the source coordinates, tenant, consumer, trace and correlation ids', () => {
    expect(
      lineageHeaders({
        record: source,
        headers: {},
        tenant: 'payments',
        consumer: 'enrich-orders',
        correlationId: 'corr-1',
        invocationTraceId: 'trace-1',
      }),
    ).toEqual({
      'stratus-source-topic': 'payments.orders',
      'stratus-source-partition': '2',
      'stratus-source-offset': '9',
      'stratus-tenant': 'payments',
      'stratus-consumer': 'enrich-orders',
      'stratus-trace-id': 'trace-1',
      'correlation-id': 'corr-1',
    });
  });

  it('writes exactly the headers LINEAGE_HEADERS names', () => {
    const headers = lineageHeaders({
      record: source,
      headers: {},
      tenant: 't',
      consumer: 'c',
      correlationId: 'c',
      invocationTraceId: 'i',
    });
    // The per-record headers, plus the two per-output ones toMessages adds; `producer` is a producer's.
    const [message] = toMessages({ n: 1 }, undefined, () => headers);
    const { producer, ...processorHeaders } = LINEAGE_HEADERS;
    expect(Object.keys(message!.headers).sort()).toEqual(Object.values(processorHeaders).sort());
  });

  it("writes a producer's headers by their LINEAGE_HEADERS names, the correlation id only when given", () => {
    expect(producerLineageHeaders({ tenant: 't', producer: 'checkout', traceId: 'tr' })).toEqual({
      [LINEAGE_HEADERS.tenant]: 't',
      [LINEAGE_HEADERS.producer]: 'checkout',
      [LINEAGE_HEADERS.traceId]: 'tr',
    });
    expect(
      producerLineageHeaders({ tenant: 't', producer: 'p', traceId: 'tr', correlationId: 'c-1' })[
        LINEAGE_HEADERS.correlationId
      ],
    ).toBe('c-1');
  });

  it('propagates a trace id the source record already carries', () => {
    const headers = lineageHeaders({
      record: source,
      headers: { 'stratus-trace-id': 'upstream' },
      tenant: 't',
      consumer: 'c',
      correlationId: 'c',
      invocationTraceId: 'mine',
    });
    expect(headers['stratus-trace-id']).toBe('upstream');
  });

  it("takes the trace id from Lambda's X-Ray header, else the request id", () => {
    const env = {
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    };
    expect(invocationTraceId('req-1', env)).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(invocationTraceId('req-1', {})).toBe('req-1');
  });
});
