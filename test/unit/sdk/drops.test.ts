/**
 * What a processor's results leave behind: every output numbered among its record's outputs, and every record
 * that produced no output on purpose listed in the invocation's drop evidence — printed only once the outputs
 * are acknowledged. The publisher is an in-memory stand-in here (the acknowledgement is what matters);
 * test/integration/sdk covers production to the real broker.
 */
import { describe, expect, it } from 'vitest';
import { defineConsumer, defineProcessor, outputRecord } from '../../../functions/sdk/index.ts';
import type { OutgoingMessage } from '../../../functions/sdk/output.ts';
import type { RecordPublisher } from '../../../functions/sdk/producer.ts';
import { DROP_EVIDENCE, parseDropEvidence } from '../../../lib/core/drop-evidence.ts';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import { functionEnv } from './env.ts';
import { captureOutput, lambdaContext, mskEvent, type RecordInput } from './msk-fixtures.ts';

interface Reading {
  n: number;
}

const T = 'shop.readings';
const reading = (partition: number, offset: number, n = offset): RecordInput => ({
  topic: T,
  partition,
  offset,
  key: `k${offset}`,
  value: { n },
});

/** Records what it was asked to publish; `fail` makes it reject like a broker that does not acknowledge. */
function memoryPublisher(options: { fail?: boolean; onPublish?: () => void } = {}) {
  const published: OutgoingMessage[] = [];
  const publisher: RecordPublisher = {
    async publish(batches) {
      options.onPublish?.();
      if (options.fail) throw new Error('not acknowledged');
      for (const batch of batches) published.push(...batch.messages);
    },
    async close() {},
  };
  return { publisher, published };
}

/** Drops odd readings, fans multiples of 3 out into three, forwards the rest. */
function detector(publisher: RecordPublisher) {
  return defineProcessor<Reading, Reading>({
    env: functionEnv({
      consumer: 'detect',
      sourceTopic: T,
      outputTopic: 'shop.alerts',
      dlqTopic: 'shop.dlq',
    }),
    publisher,
    handler: (record) => {
      const { n } = record.value;
      if (n % 2 === 1) return n % 4 === 1 ? undefined : [];
      if (n % 3 === 0) return [{ n }, outputRecord({ value: { n: n + 1 }, key: 'other' }), { n: n + 2 }];
      return { n };
    },
  });
}

const evidenceIn = (lines: Record<string, unknown>[]) =>
  lines.flatMap((line) => {
    const evidence = parseDropEvidence(JSON.stringify(line));
    return evidence ? [evidence] : [];
  });

describe('processor results: drops and fan-out', () => {
  it('numbers every output among its record’s outputs, and lists every dropped record once, with its reason', async () => {
    const { publisher, published } = memoryPublisher();
    const event = mskEvent([
      reading(0, 0),
      reading(0, 1),
      reading(0, 2),
      reading(0, 3),
      reading(0, 5),
      reading(0, 6),
      { topic: T, partition: 1, offset: 9, key: 'gone', value: null }, // a tombstone
      reading(1, 10),
    ]);
    const { result, lines } = await captureOutput(() => detector(publisher)(event, lambdaContext()));
    expect(result).toEqual({ batchItemFailures: [] });

    const outputs = published.map((m) => [
      `${m.headers[LINEAGE_HEADERS.sourcePartition]}@${m.headers[LINEAGE_HEADERS.sourceOffset]}`,
      `${m.headers[LINEAGE_HEADERS.outputIndex]}/${m.headers[LINEAGE_HEADERS.outputCount]}`,
    ]);
    expect(outputs.sort()).toEqual(
      [
        ['0@0', '0/3'],
        ['0@0', '1/3'],
        ['0@0', '2/3'],
        ['0@2', '0/1'],
        ['0@6', '0/3'],
        ['0@6', '1/3'],
        ['0@6', '2/3'],
        ['1@10', '0/1'],
      ].sort(),
    );

    const evidence = evidenceIn(lines);
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ tenant: 'shop', consumer: 'detect' });
    expect(evidence[0]!.records.map((r) => `${r.partition}@${r.offset} ${r.reason}`).sort()).toEqual([
      '0@1 returned-nothing',
      '0@3 returned-nothing',
      '0@5 returned-nothing',
      '1@9 tombstone',
    ]);
    // An EMF document: CloudWatch extracts RecordsDropped beside the SDK's other metrics.
    const document = lines.find((line) => DROP_EVIDENCE.property in line)!;
    expect(document).toMatchObject({
      RecordsDropped: 4,
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'Stratus', Metrics: [{ Name: 'RecordsDropped', Unit: 'Count' }] }],
      },
    });
    expect(lines.find((line) => line.message === 'batch processed')).toMatchObject({
      dropped: 4,
      recordsOut: 8,
    });
  });

  it('prints the evidence only after the outputs are acknowledged, and none when they are not', async () => {
    const printedBeforeAck: boolean[] = [];
    let captured: () => boolean = () => false;
    const acknowledged = memoryPublisher({ onPublish: () => printedBeforeAck.push(captured()) });
    const event = mskEvent([reading(0, 1), reading(0, 2)]);
    const ok = await captureOutput(() => {
      // The evidence line, if printed already, would be in process.stdout by now.
      const write = process.stdout.write;
      let seen = false;
      process.stdout.write = ((chunk: string) => {
        if (String(chunk).includes(DROP_EVIDENCE.property)) seen = true;
        return write.call(process.stdout, chunk);
      }) as typeof process.stdout.write;
      captured = () => seen;
      return detector(acknowledged.publisher)(event, lambdaContext()).finally(() => {
        process.stdout.write = write;
      });
    });
    expect(printedBeforeAck).toEqual([false]);
    expect(evidenceIn(ok.lines)).toHaveLength(1);

    const refused = memoryPublisher({ fail: true });
    const failed = await captureOutput(() =>
      detector(refused.publisher)(event, lambdaContext()).catch((e: Error) => e),
    );
    expect(failed.result).toBeInstanceOf(Error);
    // The batch comes back: the drop is not final, so it is not claimed.
    expect(evidenceIn(failed.lines)).toEqual([]);
  });

  it('a batch with nothing dropped prints no evidence; a consumer never does', async () => {
    const { publisher } = memoryPublisher();
    const { lines } = await captureOutput(() =>
      detector(publisher)(mskEvent([reading(0, 2)]), lambdaContext()),
    );
    expect(evidenceIn(lines)).toEqual([]);
    // A consumer has no outputs to account for: its records are settled by the committed offset.
    const consumer = defineConsumer<Reading>({
      env: functionEnv({ sourceTopic: T }),
      handler: () => undefined,
    });
    const consumed = await captureOutput(() =>
      consumer(mskEvent([reading(0, 1), reading(0, 3)]), lambdaContext()),
    );
    expect(consumed.result).toEqual({ batchItemFailures: [] });
    expect(evidenceIn(consumed.lines)).toEqual([]);
  });
});
