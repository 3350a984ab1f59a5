/**
 * The demo's accounting on records shaped as they come back from Kafka, for the sensors fixture tenant
 * (test/fixtures): a processor that drops most records, a fan-out, a chain. Each record must be exactly one of
 * delivered, dropped, dead-lettered or filtered; the cases below are the ways it can fail to be.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDeadLetter } from '../../../lib/core/dlq-envelope.ts';
import {
  compressOffsets,
  type DroppedRecord,
  dropEvidenceDocument,
  expandOffsets,
  parseDropEvidence,
} from '../../../lib/core/drop-evidence.ts';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import { accountConsumers, type DroppedRecords } from '../../../lib/local/demo/accounting.ts';
import { logPosition, readDroppedRecords } from '../../../lib/local/demo/drop-evidence-log.ts';
import type { DemoSummary } from '../../../lib/local/demo/run-demo.ts';
import { formatDemoSummary } from '../../../lib/local/demo/summary-text.ts';
import { DEMO_HEADERS, type DemoRecordKind } from '../../../lib/local/demo/types.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import type { RangeRecord } from '../../../lib/ops/shared/read-range.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const sensors = loadStratusOrThrow({ rootDir: FIXTURES }).tenants.find((t) => t.name === 'sensors')!;
const detect = sensors.consumers.find((c) => c.key === 'detect-anomalies')!;
const fanOut = sensors.consumers.find((c) => c.key === 'fan-out-alerts')!;

const record = (
  topic: string,
  offset: number,
  value: unknown,
  headers: Record<string, string> = {},
): RangeRecord => ({
  topic,
  partition: 0,
  offset: String(offset),
  timestamp: '0',
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers,
});
const reading = (offset: number, kind = 'temperature', demoKind: DemoRecordKind = 'valid') =>
  record(detect.topic, offset, { kind, value: 20 }, { [DEMO_HEADERS.kind]: demoKind });
/** An output of `consumer` for the source record at `offset`: position `index` of `count`. */
const output = (consumer: typeof detect, offset: number, index = 0, count = 1) =>
  record(
    consumer.output!,
    0,
    {},
    {
      [LINEAGE_HEADERS.sourceTopic]: consumer.topic,
      [LINEAGE_HEADERS.sourcePartition]: '0',
      [LINEAGE_HEADERS.sourceOffset]: String(offset),
      [LINEAGE_HEADERS.tenant]: sensors.name,
      [LINEAGE_HEADERS.consumer]: consumer.key,
      [LINEAGE_HEADERS.outputIndex]: String(index),
      [LINEAGE_HEADERS.outputCount]: String(count),
    },
  );
const deadLetter = (offset: number) =>
  record(
    sensors.dlq.name,
    offset,
    buildDeadLetter({
      tenant: sensors.name,
      consumer: detect.key,
      reason: 'SCHEMA_VIOLATION',
      error: new Error('bad'),
      record: {
        topic: detect.topic,
        partition: 0,
        offset,
        timestamp: 0,
        timestampType: 'CREATE_TIME',
        headers: [],
      },
      attempts: 1,
      firstFailureAt: new Date(),
    }).message.value,
  );
/** Drop evidence as the accounting receives it: group id → coordinates → reasons. */
const dropsOf = (groupId: string, offsets: number[], reason: DroppedRecord['reason'] = 'returned-nothing') =>
  new Map([
    [groupId, new Map(offsets.map((o) => [`${detect.topic}/0@${o}`, new Set([reason])]))],
  ]) as DroppedRecords;

function account(records: Record<string, RangeRecord[]>, dropped?: DroppedRecords) {
  return accountConsumers({ tenants: [sensors], records: new Map(Object.entries(records)), dropped }).find(
    (a) => a.consumer === detect.groupId,
  )!;
}

describe('demo accounting of processors that drop and fan out', () => {
  it('a record the mapping discarded (onFailure: none) is discarded, not lost; poison belongs there, valid does not', () => {
    const records = {
      [detect.topic]: [reading(0), reading(1, 'temperature', 'bad-json'), reading(2)],
      [detect.output!]: [output(detect, 0)],
    };
    const discarded = new Map([[detect.groupId, new Set([`${detect.topic}/0@1`, `${detect.topic}/0@2`])]]);
    const found = accountConsumers({
      tenants: [sensors],
      records: new Map(Object.entries(records)),
      discarded,
    }).find((a) => a.consumer === detect.groupId)!;
    expect(found).toMatchObject({ delivered: 1, discarded: 2, lost: 0, duplicates: 0, misrouted: 1 });
    expect(found.byKind?.['bad-json']).toMatchObject({ produced: 1, discarded: 1 });
    expect(found.misroutedSamples).toEqual([
      `${detect.topic}/0@2 (valid, discarded by the mapping (onFailure: none))`,
    ]);
    // Without the runtime's word, nothing in Kafka tells a discard from a loss.
    expect(account(records)).toMatchObject({ discarded: 0, lost: 2 });
  });

  it('a record with drop evidence is dropped; the same record without it is lost', () => {
    const records = {
      [detect.topic]: [reading(0), reading(1), reading(2)],
      [detect.output!]: [output(detect, 0)],
    };
    expect(account(records, dropsOf(detect.groupId, [1, 2]))).toMatchObject({
      input: 3,
      delivered: 1,
      dropped: 2,
      lost: 0,
      duplicates: 0,
    });
    const leaky = account(records, dropsOf(detect.groupId, [1]));
    expect(leaky).toMatchObject({ delivered: 1, dropped: 1, lost: 1, duplicates: 0 });
    expect(leaky.lostSamples).toEqual([`${detect.topic}/0@2`]);
    // Evidence of another consumer, or none at all, excuses nothing.
    expect(account(records, dropsOf(fanOut.groupId, [1, 2]))).toMatchObject({ dropped: 0, lost: 2 });
    expect(account(records)).toMatchObject({ dropped: 0, lost: 2 });
  });

  it('a fan-out of 3 is one delivered record with 3 distinct outputs; a repeated position is a duplicate', () => {
    const fanned = [0, 1, 2].map((i) => output(detect, 0, i, 3));
    const records = { [detect.topic]: [reading(0)], [detect.output!]: fanned };
    expect(account(records)).toMatchObject({ delivered: 1, outputs: 3, lost: 0, duplicates: 0 });
    // A re-delivered output: position 1 written twice.
    const again = { ...records, [detect.output!]: [...fanned, output(detect, 0, 1, 3)] };
    const repeated = account(again);
    expect(repeated).toMatchObject({
      delivered: 1,
      outputs: 3,
      duplicates: 1,
      duplicateDeadLetters: 0,
      lost: 0,
    });
    expect(repeated.duplicateSamples).toEqual([`${detect.topic}/0@0 (output 1 written 2×)`]);
  });

  it('a record dead-lettered twice is a duplicate dead letter; one delivered and dead-lettered is another duplicate', () => {
    const records = {
      [detect.topic]: [reading(0), reading(1)],
      [detect.output!]: [output(detect, 1)],
      [sensors.dlq.name]: [deadLetter(0), deadLetter(0), deadLetter(1)],
    };
    const twice = account(records);
    expect(twice).toMatchObject({
      deadLettered: 2,
      delivered: 1,
      duplicates: 2,
      duplicateDeadLetters: 1,
      lost: 0,
    });
    expect(twice.duplicateSamples).toEqual([
      `${detect.topic}/0@0 (dead-lettered 2×)`,
      `${detect.topic}/0@1 (delivered and dead-lettered)`,
    ]);
  });

  it('a fan-out with a position missing is lost, not delivered', () => {
    const records = {
      [detect.topic]: [reading(0)],
      [detect.output!]: [output(detect, 0, 0, 3), output(detect, 0, 2, 3)],
    };
    const partial = account(records);
    expect(partial).toMatchObject({ delivered: 0, lost: 1 });
    expect(partial.lostSamples).toEqual([`${detect.topic}/0@0 (2 of 3 outputs)`]);
  });

  it('drop evidence never makes a duplicate: a record delivered or dead-lettered after a drop counts as that', () => {
    const records = {
      [detect.topic]: [reading(0), reading(1), reading(2)],
      [detect.output!]: [output(detect, 0)],
      [sensors.dlq.name]: [deadLetter(1)],
    };
    // Reported twice (a re-delivery), for two reasons, or beside the record's real outcome: still one record.
    const evidence = new Map([
      [
        detect.groupId,
        new Map([
          [`${detect.topic}/0@0`, new Set(['returned-nothing'] as const)],
          [`${detect.topic}/0@1`, new Set(['returned-nothing'] as const)],
          [`${detect.topic}/0@2`, new Set(['returned-nothing', 'duplicate'] as const)],
        ]),
      ],
    ]) as DroppedRecords;
    expect(account(records, evidence)).toMatchObject({
      delivered: 1,
      deadLettered: 1,
      dropped: 1,
      lost: 0,
      duplicates: 0,
    });
  });

  it('filtered records and the DLQ are counted as before; delivered and dead-lettered at once is a duplicate', () => {
    const records = {
      [detect.topic]: [reading(0, 'heartbeat'), reading(1), reading(2, 'humidity', 'schema-violation')],
      [detect.output!]: [output(detect, 1)],
      [sensors.dlq.name]: [deadLetter(1), deadLetter(2)],
    };
    expect(account(records)).toMatchObject({
      input: 3,
      filtered: 1,
      delivered: 1,
      deadLettered: 2,
      duplicates: 1,
      misrouted: 1, // a valid reading in the DLQ
      lost: 0,
    });
    expect(account(records).misroutedSamples).toEqual([
      expect.stringMatching(
        new RegExp(`^${detect.topic}/0@1 \\(valid, dead-lettered: [A-Z_]+, .+, \\d+ attempt\\(s\\)\\)$`),
      ),
    ]);
  });

  it('counts dropped records per demo kind, and poison that was dropped as misrouted', () => {
    const records = {
      [detect.topic]: [reading(0), reading(1, 'humidity', 'schema-violation'), reading(2, 'heartbeat')],
    };
    const result = account(records, dropsOf(detect.groupId, [0, 1]));
    expect(result.byKind).toEqual({
      valid: { produced: 2, delivered: 0, dropped: 1, deadLettered: 0, filtered: 1, discarded: 0 },
      'schema-violation': {
        produced: 1,
        delivered: 0,
        dropped: 1,
        deadLettered: 0,
        filtered: 0,
        discarded: 0,
      },
    });
    expect(result.misrouted).toBe(1);
    expect(result.misroutedSamples).toEqual([
      `${detect.topic}/0@1 (schema-violation, dropped (returned-nothing))`,
    ]);
  });

  it('prints the dropped and outputs columns and the dropped total', () => {
    const accounts = accountConsumers({
      tenants: [sensors],
      records: new Map([
        [detect.topic, [reading(0), reading(1)]],
        [detect.output!, [output(detect, 0, 0, 2), output(detect, 0, 1, 2)]],
      ]),
      dropped: dropsOf(detect.groupId, [1]),
    });
    const summary: DemoSummary = {
      ok: true,
      runId: 'r',
      namespaced: false,
      eventsPerSourceTopic: 2,
      produced: { [detect.topic]: 2 },
      lost: 0,
      duplicates: 0,
      dropped: 1,
      misrouted: 0,
      durationMs: 1000,
      drainMs: 800,
      recordsPerSecond: 2,
      tenants: [{ tenant: sensors.name, consumers: accounts, sinks: [] }],
    };
    const lines = formatDemoSummary(summary);
    expect(lines[0]).toContain("consumers drained in 0.8s (1.0s with the sinks' accounting)");
    const header = lines.find((line) => line.startsWith('consumer'))!;
    expect(header.split(/\s+/)).toEqual([
      'consumer',
      'input',
      'delivered',
      'outputs',
      'dropped',
      'dead-lettered',
      'filtered',
      'lost',
      'duplicates',
      'misrouted',
    ]);
    expect(lines.find((line) => line.startsWith(detect.groupId))!.split(/\s+/)).toEqual([
      detect.groupId,
      '2',
      '1',
      '2',
      '1',
      '0',
      '0',
      '0',
      '0',
      '0',
    ]);
    expect(lines.at(-1)).toBe(
      '✓ every record accounted for: lost 0, duplicates 0 (dropped by handlers on purpose: 1)',
    );
  });
});

describe('drop evidence, written by the SDK and read back from the log', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-evidence-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const evidenceLine = (consumer: string, records: DroppedRecord[]) =>
    JSON.stringify(dropEvidenceDocument({ namespace: 'Stratus', tenant: sensors.name, consumer, records }));
  const drop = (offset: number, reason: DroppedRecord['reason'] = 'returned-nothing'): DroppedRecord => ({
    topic: detect.topic,
    partition: 0,
    offset,
    reason,
  });

  it('reads only what was written after the run began, by consumer group, ignoring other lines', () => {
    const file = path.join(dir, 'functions.log');
    writeFileSync(file, `${evidenceLine(detect.key, [drop(1)])}\n`);
    const from = logPosition(file);
    expect(logPosition(path.join(dir, 'missing.log'))).toBe(0);
    writeFileSync(
      file,
      [
        '{"level":"INFO","message":"batch processed","recordsIn":3}',
        'not json at all',
        evidenceLine(detect.key, [drop(2), drop(3), drop(4), drop(7, 'tombstone')]),
        '{"stratusDropped": "a line that only mentions the property"}',
        evidenceLine(fanOut.key, [{ ...drop(9), topic: fanOut.topic }]),
        evidenceLine(detect.key, [drop(3, 'duplicate')]).slice(0, 80), // cut short by a crash
      ].join('\n'),
      { flag: 'a' },
    );
    const dropped = readDroppedRecords(file, 0);
    expect([...dropped.keys()].sort()).toEqual([detect.groupId, fanOut.groupId].sort());
    const detected = dropped.get(detect.groupId)!;
    expect([...detected.keys()].sort()).toEqual([1, 2, 3, 4, 7].map((o) => `${detect.topic}/0@${o}`));
    expect([...detected.get(`${detect.topic}/0@7`)!]).toEqual(['tombstone']);
    // From the position taken before: the first line (written by an earlier run) is left out.
    expect(readDroppedRecords(file, from).get(detect.groupId)?.has(`${detect.topic}/0@1`)).toBe(false);
  });

  it('offsets survive the round trip through ranges, whatever they are', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5_000 }), { maxLength: 300 }), (offsets) => {
        expect(expandOffsets(compressOffsets(offsets))).toEqual([...new Set(offsets)].sort((a, b) => a - b));
      }),
    );
    expect(compressOffsets([7, 3, 4, 5, 9, 10, 3])).toBe('3-5,7,9-10');
    const records = [drop(5), drop(6), drop(8, 'duplicate'), { ...drop(1), partition: 2 }];
    const parsed = parseDropEvidence(evidenceLine(detect.key, records))!;
    expect(parsed.records).toEqual(expect.arrayContaining(records));
    expect(parsed.records).toHaveLength(records.length);
  });
});
