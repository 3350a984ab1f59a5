/**
 * The Firehose transform of Iceberg sinks, called with the event shape Firehose sends for an MSK source
 * (records[].kafkaRecordValue, base64) and answering in the shape it requires (recordId, result,
 * kafkaRecordValue). https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html
 * The local sink's rows from the raw records equal its rows from what this function returns: both runtimes
 * hold the same values.
 */
import { describe, expect, it } from 'vitest';
import {
  columnsFromEnv,
  type MskFirehoseEvent,
  transformRecords,
} from '../../../functions/platform/iceberg-transform.ts';
import { convertedColumns, ICEBERG_COLUMNS_ENV, toIcebergRecord } from '../../../lib/core/iceberg-record.ts';
import { icebergSchemaFromJsonSchema } from '../../../lib/local/sink/iceberg-schema.ts';
import { toRow } from '../../../lib/local/sink/row-values.ts';
import orderEnriched from '../../../schemas/payments/order-enriched.schema.json' with { type: 'json' };
import { enrichedOrder } from '../../integration/sink/fixtures.ts';

const schema = icebergSchemaFromJsonSchema(orderEnriched as Record<string, unknown>);
const columns = convertedColumns(schema.fields);

function event(values: string[]): MskFirehoseEvent {
  return {
    invocationId: 'inv-1',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/stratus-payments-orders-lake',
    sourceMSKArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/abc-1',
    region: 'eu-west-1',
    records: values.map((value, i) => ({
      recordId: `r-${i}`,
      kafkaRecordValue: Buffer.from(value).toString('base64'),
      approximateArrivalTimestamp: 1_795_133_700_000,
      mskRecordMetadata: {
        offset: String(i),
        partitionId: '0',
        approximateArrivalTimestamp: 1_795_133_700_000,
      },
    })),
  };
}

describe('functions/platform/iceberg-transform.ts', () => {
  it('answers every record by id: converted ones Ok, the ones Firehose could not take ProcessingFailed', () => {
    const orders = [0, 1, 2].map(enrichedOrder);
    const bad = { ...orders[0], createdAt: 'tomorrow' };
    const logged: string[] = [];
    const result = transformRecords(
      columns,
      event([...orders.map((o) => JSON.stringify(o)), 'not json', JSON.stringify(bad), '[1,2]']),
      (line) => logged.push(line),
    );
    expect(result.records.map((r) => [r.recordId, r.result])).toEqual([
      ['r-0', 'Ok'],
      ['r-1', 'Ok'],
      ['r-2', 'Ok'],
      ['r-3', 'ProcessingFailed'],
      ['r-4', 'ProcessingFailed'],
      ['r-5', 'ProcessingFailed'],
    ]);
    const sent = JSON.parse(Buffer.from(result.records[0]!.kafkaRecordValue, 'base64').toString());
    expect(sent.createdAt).toBe(1_795_133_700_000_250);
    expect(sent.enrichedAt).toBe(Date.parse('2026-11-24T08:00:00Z') * 1000);
    // A failed record goes back unchanged, for Firehose's processing-failed output.
    expect(result.records[3]!.kafkaRecordValue).toBe(Buffer.from('not json').toString('base64'));
    expect(logged.map((line) => JSON.parse(line).message)).toContain(
      'record (partition 0, offset 4): field "createdAt": not a date-time: tomorrow',
    );
  });

  it('yields the rows the local sink writes from the raw records', () => {
    const orders = Array.from({ length: 20 }, (_, i) => enrichedOrder(i));
    const result = transformRecords(columns, event(orders.map((o) => JSON.stringify(o))));
    const fromAws = result.records.map((r) =>
      toRow(schema, JSON.parse(Buffer.from(r.kafkaRecordValue, 'base64').toString())),
    );
    const fromLocal = orders.map((o) => toRow(schema, toIcebergRecord(columns, o)));
    expect(fromAws).toEqual(fromLocal);
  });

  it('reads its columns from the environment the construct sets', () => {
    expect(columnsFromEnv({ [ICEBERG_COLUMNS_ENV]: JSON.stringify(columns) })).toEqual(columns);
    expect(() => columnsFromEnv({})).toThrow(`${ICEBERG_COLUMNS_ENV} is not set`);
  });
});
