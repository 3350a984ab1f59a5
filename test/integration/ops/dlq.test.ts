import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineConsumer, type KafkaRecord } from '../../../functions/sdk/index.ts';
import { DLQ_HEADERS, type DlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { consumerEnvironment } from '../../../lib/core/function-env.ts';
import { REDRIVEN_FROM_HEADER } from '../../../lib/ops/dlq/ledger.ts';
import type { DlqListing } from '../../../lib/ops/dlq/list.ts';
import { testServices } from '../../support/services.ts';
import { runCli } from './cli.ts';
import { runUntilDrained } from './emulated-consumer.ts';
import { createOpsProject, type OpsProject } from './project.ts';
import { consumeUntilCaughtUp, type Processed } from './stand-in-consumer.ts';

/** A bug the "fix" removes: the first handler does not know the currency XXX, and fails on every retry. */
class UnknownCurrencyError extends Error {
  override name = 'UnknownCurrencyError';
}

interface Order {
  id: number;
  currency: string;
}

const { kafka, brokers } = testServices();
const client = kafka('dlq-test');

describe('stratus dlq (local)', () => {
  let project: OpsProject;
  let tenant: string;
  let topic: string;
  const handled: number[] = [];
  const seen: Array<{ key: string | null; headers: Record<string, string> }> = [];
  const handlers: Array<{ stratus: { close(): Promise<void> } }> = [];

  /** The consumer `enrich` as the SDK runs it; `fixed` is the handler after the bug fix. */
  const consumer = (fixed: boolean) => {
    const handler = defineConsumer<Order>({
      env: consumerEnvironment({
        tenant,
        consumer: 'enrich',
        sourceTopic: topic,
        dlqTopic: `${tenant}.dlq`,
        kafkaBrokers: brokers.join(','),
        kafkaAuth: 'plaintext',
        logLevel: 'CRITICAL',
      }),
      handler: (record: KafkaRecord<Order>) => {
        if (!fixed && record.value.currency === 'XXX') throw new UnknownCurrencyError('unknown currency XXX');
        handled.push(record.value.id);
        seen.push({ key: record.key, headers: record.headers });
      },
    });
    handlers.push(handler);
    return handler;
  };
  /** Runs the consumer (event-source emulator + SDK function) until it has settled everything produced so far. */
  const runConsumer = async (fixed: boolean) => {
    const before = seen.length;
    await runUntilDrained(client, brokers, project.tenant.consumers[0]!, consumer(fixed));
    return seen.slice(before);
  };
  const list = async (args: string[] = []) => {
    const result = await runCli(
      project,
      ['dlq', 'list', '--tenant', tenant, '--json', ...args],
      ['--brokers', brokers.join(',')],
    );
    expect(result.err).toBe('');
    return JSON.parse(result.out) as DlqListing;
  };
  const redrive = (args: string[]) =>
    runCli(project, ['dlq', 'redrive', '--tenant', tenant, ...args], ['--brokers', brokers.join(',')]);

  let sent: Array<{ key: string; value: string }>;
  let firstPass: Processed[];

  beforeAll(async () => {
    // One record per event, so a failing record never takes its batch neighbours to the DLQ with it.
    project = await createOpsProject(client, brokers, { consumerExtra: ['batchSize: 1'] });
    tenant = project.tenant.name;
    topic = project.tenant.consumers[0]!.topic;
    sent = [
      ...Array.from({ length: 10 }, (_, i) => ({
        key: `o-${i}`,
        value: JSON.stringify({ id: i, currency: 'EUR' }),
      })),
      ...[100, 101, 102].map((id) => ({ key: `o-${id}`, value: JSON.stringify({ id, currency: 'XXX' }) })),
      { key: 'o-bad', value: 'this is not JSON' },
    ];
    const producer = client.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages: sent });
    await producer.disconnect();
    await runConsumer(false);
    // What the source topic holds, to compare the envelopes' coordinates with (read by a group of its own).
    firstPass = await consumeUntilCaughtUp(client, { groupId: `${tenant}.inspect`, topic });
  });

  afterAll(async () => {
    await Promise.all(handlers.map((handler) => handler.stratus.close()));
  });

  it('poison records land in the DLQ with a correct envelope', async () => {
    expect(firstPass).toHaveLength(sent.length);
    expect(handled.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const listing = await list();
    expect(listing.topic).toBe(`${tenant}.dlq`);
    expect(listing.entries).toHaveLength(4);
    expect(listing.entries.map((entry) => entry.envelope?.reason).sort()).toEqual([
      'DECODE_ERROR',
      'RETRIES_EXHAUSTED',
      'RETRIES_EXHAUSTED',
      'RETRIES_EXHAUSTED',
    ]);
    // The SDK reports the failing record in a partial batch response, so the mapping knows no error class:
    // the emulator, like Lambda, records it as a batch item failure.
    expect(listing.countsByErrorClass).toEqual([
      { errorClass: 'BatchItemFailure', count: 3 },
      { errorClass: 'RecordDecodeError', count: 1 },
    ]);
    for (const entry of listing.entries) {
      const envelope = entry.envelope as DlqEnvelope;
      const original = firstPass.find(
        (record) =>
          record.partition === envelope.source.partition && record.offset === String(envelope.source.offset),
      );
      expect(original, `source coordinates of ${entry.id}`).toBeDefined();
      expect(envelope).toMatchObject({
        version: 1,
        tenant,
        consumer: 'enrich',
        source: { topic, timestamp: original?.timestamp },
      });
      expect(envelope.attempts).toBe(envelope.reason === 'RETRIES_EXHAUSTED' ? 2 : 1); // retries: 1
      expect(Buffer.from(envelope.record.value ?? '', 'base64').toString()).toBe(original?.value);
      expect(Buffer.from(envelope.record.key ?? '', 'base64').toString()).toBe(original?.key);
      expect(entry.headers[DLQ_HEADERS.errorClass]).toBe(envelope.error.class);
      expect(entry.redriveCount).toBe(0);
    }

    const filtered = await list(['--filter', 'error=RecordDecodeError', '--consumer', 'enrich']);
    expect(filtered.entries.map((entry) => entry.envelope?.reason)).toEqual(['DECODE_ERROR']);

    const text = await runCli(project, ['dlq', 'list', '--tenant', tenant], ['--brokers', brokers.join(',')]);
    expect(text.out).toContain('4 of 4 records match');
    expect(text.out).toContain('By error class: BatchItemFailure 3, RecordDecodeError 1');
  });

  it('dlq show prints one envelope with its value decoded', async () => {
    const listing = await list(['--filter', 'reason=RETRIES_EXHAUSTED']);
    const id = listing.entries[0]!.id;
    const shown = await runCli(
      project,
      ['dlq', 'show', id, '--tenant', tenant],
      ['--brokers', brokers.join(',')],
    );
    expect(shown.err).toBe('');
    expect(shown.code).toBe(0);
    const parsed = JSON.parse(shown.out) as {
      id: string;
      envelope: { record: { value: Order; key: string } };
    };
    expect(parsed.id).toBe(id);
    expect(parsed.envelope.record.value).toMatchObject({ currency: 'XXX' });
    expect(shown.out).toContain('  "currency": "XXX"');

    const [partition, offset] = id.split(':');
    const qualified = await runCli(
      project,
      ['dlq', 'show', `${tenant}.dlq/${partition}/${offset}`],
      ['--brokers', brokers.join(',')],
    );
    expect(JSON.parse(qualified.out)).toEqual(parsed);

    const missing = await runCli(
      project,
      ['dlq', 'show', '0:999999', '--tenant', tenant],
      ['--brokers', brokers.join(',')],
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('has no record 0:999999');
    const malformed = await runCli(
      project,
      ['dlq', 'show', 'abc', '--tenant', tenant],
      ['--brokers', brokers.join(',')],
    );
    expect(malformed.code).toBe(2);
  });

  it('after the fix, redrive delivers the poison records once, a repeated envelope too; a second redrive sends nothing', async () => {
    // A crash between the dead-lettering and the offset commit dead-letters a record again when it is
    // re-delivered: the DLQ then holds the same envelope twice. Written here as such a run leaves it (timing a
    // real kill into that window is left to the restart test), so the redrive must still send the record once.
    const [original] = (await list(['--filter', 'reason=RETRIES_EXHAUSTED'])).entries;
    const repeat = client.producer({ idempotent: true });
    await repeat.connect();
    await repeat.send({
      topic: original!.topic,
      messages: [
        {
          key: Buffer.from(original!.envelope!.record.key ?? '', 'base64'),
          value: JSON.stringify(original!.envelope),
          headers: original!.headers,
        },
      ],
    });
    await repeat.disconnect();

    const dryRun = await redrive(['--filter', 'reason=RETRIES_EXHAUSTED', '--dry-run']);
    expect(dryRun.out).toContain(
      'Dry run: would redrive 3 records; 1 stays in the DLQ. Nothing was changed.',
    );
    expect(dryRun.out).toContain(`repeats ${original!.id} (same source record ${topic}/`);
    const first = await redrive(['--filter', 'reason=RETRIES_EXHAUSTED', '--consumer', 'enrich']);
    expect(first.err).toBe('');
    expect(first.out).toContain('Redrove 3 records; 1 stays in the DLQ.');

    handled.length = 0;
    const redelivered = await runConsumer(true);
    expect(handled.sort((a, b) => a - b)).toEqual([100, 101, 102]);
    expect(redelivered.map((record) => record.key).sort()).toEqual(['o-100', 'o-101', 'o-102']);
    for (const record of redelivered) {
      expect(record.headers[DLQ_HEADERS.redriveCount]).toBe('1');
      expect(record.headers[REDRIVEN_FROM_HEADER]).toMatch(new RegExp(`^${tenant}\\.dlq/\\d+/\\d+$`));
    }

    const second = await redrive(['--filter', 'reason=RETRIES_EXHAUSTED']);
    expect(second.out).toContain('Redrove 0 records; 4 stay in the DLQ.');
    expect(second.out).toContain('already redriven at');
    expect(await runConsumer(true)).toEqual([]);

    const listing = await list(['--filter', 'reason=RETRIES_EXHAUSTED']);
    expect(listing.entries.every((entry) => entry.redriven?.target.topic === topic)).toBe(true);
  });

  it('a record that fails again after redrive comes back with its redrive count, and stays past the limit', async () => {
    const first = await redrive(['--filter', 'error=RecordDecodeError', '--max-redrives', '1']);
    expect(first.out).toContain('Redrove 1 record; 0 stay in the DLQ.');
    await runConsumer(true); // the fixed handler still cannot decode it: the SDK dead-letters it again

    const again = await list(['--filter', 'error=RecordDecodeError']);
    expect(again.entries.map((entry) => entry.redriveCount).sort()).toEqual([0, 1]);

    const second = await redrive(['--filter', 'error=RecordDecodeError', '--max-redrives', '1']);
    expect(second.out).toContain('redrive limit reached (1 of 1)');
    expect(second.out).toContain('Redrove 0 records; 2 stay in the DLQ.');
  });

  it('unknown tenant or consumer and a bad filter are clear errors', async () => {
    const unknownTenant = await runCli(
      project,
      ['dlq', 'list', '--tenant', 'nobody'],
      ['--brokers', brokers.join(',')],
    );
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.err).toContain('unknown tenant "nobody"');
    const unknownConsumer = await redrive(['--consumer', 'nope']);
    expect(unknownConsumer.code).toBe(1);
    expect(unknownConsumer.err).toContain(`tenant "${tenant}" has no consumer "nope"`);
    const badFilter = await redrive(['--filter', 'colour=red']);
    expect(badFilter.code).toBe(2);
    expect(badFilter.err).toContain('--filter "colour=red" is not one of error=<value>');
  });
});
