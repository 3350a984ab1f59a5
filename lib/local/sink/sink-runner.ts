/**
 * One manifest sink on the local runtime: consumes the sink topic with the sink's own consumer group,
 * buffers like Firehose (size or interval, from the manifest) and delivers each buffer to the table or
 * bucket. Consumer-group offsets are committed only after the delivery is durable; for Iceberg the offsets
 * also ride in the snapshot, and records below them are skipped, so a crash at any point neither loses a
 * record nor duplicates one in the table.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { sinkGroupId, sinkStreamName } from '../../core/naming.ts';
import type { SinkSpec, TopicSpec } from '../../manifest/spec.ts';
import { type BufferedRecord, DeliveryBuffer, nextOffsets, partitionKey } from './delivery-buffer.ts';
import type { DeliveryTarget } from './delivery-target.ts';
import { type ErrorOutputOptions, writeErrorOutput } from './error-output.ts';
import { icebergSchemaFromJsonSchema } from './iceberg-schema.ts';
import { IcebergTableWriter, type IcebergTableWriterOptions } from './iceberg-table-writer.ts';
import { IcebergTarget } from './iceberg-target.ts';
import type { Lakehouse } from './lakehouse.ts';
import { ObjectTarget } from './object-target.ts';
import { seekToStart, sinkStartOffsets } from './start-position.ts';
import { partitionsBehindGroup } from './table-offsets.ts';

export interface SinkDeps {
  kafka: Kafka;
  /** Catalog and bucket (see createLakehouse()). */
  lakehouse: Lakehouse;
  /**
   * Milliseconds since the epoch.
   * @default Date.now
   */
  clock?: () => number;
  /** Progress and delivery errors. */
  log?: (line: string) => void;
  /** Called between steps of an Iceberg commit; crash tests kill the process here. */
  onPhase?: IcebergTableWriterOptions['onPhase'];
  /**
   * Consumer session timeout: how long the group waits for a member that vanished (a crash) before giving
   * its partitions to another.
   * @default 30000 (kafkajs)
   */
  sessionTimeoutMs?: number;
  /**
   * Wait before retrying a failed delivery.
   * @default 1000
   */
  retryDelayMs?: number;
}

/** What the metrics server reads; names follow Firehose's DeliveryToIceberg.* / DeliveryToS3.* metrics. */
export interface SinkStats {
  sink: string;
  tenant: string;
  format: SinkSpec['format'];
  /** `stratus_payments.orders_enriched` or the object prefix URI. */
  destination: string;
  groupId: string;
  /** Records read from Kafka (after skipping those the destination already holds). */
  recordsIn: number;
  /** Records skipped because the destination already held them (re-deliveries after a crash). */
  recordsSkipped: number;
  /** Rows made durable (DeliveryToIceberg.SuccessfulRowCount). */
  rowsDelivered: number;
  /** Bytes of data files written (DeliveryToIceberg.Bytes). */
  bytesDelivered: number;
  /** Snapshots committed or objects written. */
  commits: number;
  /** Records that could not be converted (DeliveryToIceberg.FailedRowCount); written to the error prefix. */
  failedRecords: number;
  /** Deliveries that failed and were retried (the catalog or bucket was unreachable). */
  failedDeliveries: number;
  bufferedRecords: number;
  bufferedBytes: number;
  /** Epoch ms of the last successful delivery. */
  lastDeliveryAt?: number;
  /** Age of the oldest undelivered record, by its Kafka timestamp (DeliveryToIceberg.DataFreshness). */
  dataFreshnessMs: number;
  lastError?: string;
}

/** A sink's totals before it has done anything: its identity, every count at zero. */
export function initialSinkStats(
  identity: Pick<SinkStats, 'sink' | 'tenant' | 'format' | 'destination' | 'groupId'>,
): SinkStats {
  return {
    ...identity,
    recordsIn: 0,
    recordsSkipped: 0,
    rowsDelivered: 0,
    bytesDelivered: 0,
    commits: 0,
    failedRecords: 0,
    failedDeliveries: 0,
    bufferedRecords: 0,
    bufferedBytes: 0,
    dataFreshnessMs: 0,
  };
}

export interface RunningSink {
  /** Delivers whatever is buffered now and commits the offsets. */
  flush(): Promise<void>;
  /** Stops consuming; by default delivers the buffer first. */
  stop(options?: { flush?: boolean }): Promise<void>;
  stats(): SinkStats;
}

/** The JSON Schema the table's columns come from. */
function topicSchema(spec: SinkSpec, topic: TopicSpec): Record<string, unknown> | undefined {
  if (topic.name !== spec.topic) throw new Error(`sink ${spec.key} reads ${spec.topic}, not ${topic.name}`);
  return topic.schema;
}

async function createTarget(spec: SinkSpec, topic: TopicSpec, deps: SinkDeps): Promise<DeliveryTarget> {
  const jsonSchema = topicSchema(spec, topic);
  if (spec.format === 'iceberg') {
    const writer = await IcebergTableWriter.open({
      catalog: deps.lakehouse.catalog,
      table: { tenant: spec.tenant, database: spec.database, table: spec.table },
      schema: icebergSchemaFromJsonSchema(jsonSchema, spec.uniqueKeys),
      partitionBy: spec.partitionBy,
      clock: deps.clock,
      onPhase: deps.onPhase,
      onSchemaChange: (line) => deps.log?.(`table ${spec.database}.${spec.table}: ${line}`),
    });
    return new IcebergTarget(writer, `${spec.database}.${spec.table}`);
  }
  return new ObjectTarget({
    ...deps.lakehouse.objects,
    prefix: spec.prefix,
    streamName: sinkStreamName(spec.tenant, spec.key),
    format: spec.format,
    partitionBy: spec.partitionBy,
    schema: spec.format === 'parquet' ? icebergSchemaFromJsonSchema(jsonSchema) : undefined,
  });
}

/**
 * Starts a sink. Resolves once the destination is ready and the consumer has joined its group.
 * A group without committed offsets starts where the sink's `startFrom` says (start-position.ts).
 */
export async function startSink(spec: SinkSpec, topic: TopicSpec, deps: SinkDeps): Promise<RunningSink> {
  const clock = deps.clock ?? Date.now;
  const log = deps.log ?? (() => {});
  const target = await createTarget(spec, topic, deps);
  const groupId = sinkGroupId(spec.tenant, spec.key);
  const errorOutput: ErrorOutputOptions = {
    ...deps.lakehouse.objects,
    tenant: spec.tenant,
    sinkKey: spec.key,
    streamName: sinkStreamName(spec.tenant, spec.key),
    // Iceberg and JSON sinks fail records in processing; Parquet ones in record format conversion.
    errorOutputType: spec.format === 'parquet' ? 'format-conversion-failed' : 'processing-failed',
  };
  const buffer = new DeliveryBuffer(spec.bufferSizeBytes);
  // Per partition, the next offset not yet buffered or delivered: records below it are skipped, which
  // covers both the table's committed offsets after a restart and re-fetches after a rebalance.
  const tableOffsets = target.committedOffsets();
  const position = new Map<string, bigint>(
    Object.entries(tableOffsets ?? {}).map(([key, offset]) => [key, BigInt(offset)]),
  );
  // Where the group is ahead of the table, the table is the truth: those partitions are read again.
  const rewinds = tableOffsets
    ? await partitionsBehindGroup(deps.kafka, groupId, spec.topic, tableOffsets)
    : [];
  if (rewinds.length > 0)
    log(
      `sink ${spec.key}: ${target.description} holds less than group ${groupId} committed (${rewinds.map((r) => `partition ${r.partition}: table ${r.from}, group ${r.groupAt}`).join('; ')}); reading again from the table's offsets`,
    );
  const stats = initialSinkStats({
    sink: spec.key,
    tenant: spec.tenant,
    format: spec.format,
    destination: target.description,
    groupId,
  });
  const consumer: Consumer = deps.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    // Idle fetches return after 500 ms instead of kafkajs' 5 s, so stop() and rebalances do not wait on them.
    maxWaitTimeInMs: 500,
    ...(deps.sessionTimeoutMs
      ? { sessionTimeout: deps.sessionTimeoutMs, heartbeatInterval: Math.floor(deps.sessionTimeoutMs / 6) }
      : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  const schedule = (delayMs: number) => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush().catch(() => {});
    }, delayMs);
  };

  const deliver = async (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const records = buffer.drain();
    if (records.length === 0) return;
    const offsets = nextOffsets(records);
    try {
      const result = await target.deliver(records, offsets, async (failed) => {
        const uri = await writeErrorOutput(errorOutput, failed, clock());
        if (uri) log(`sink ${spec.key}: ${failed.length} record(s) could not be delivered; see ${uri}`);
      });
      stats.rowsDelivered += result.rows;
      stats.bytesDelivered += result.bytes;
      stats.commits += result.commits;
      stats.failedRecords += result.failed.length;
      stats.lastDeliveryAt = clock();
      for (const { record, reason } of result.failed)
        log(
          `sink ${spec.key}: dropped ${partitionKey(record.topic, record.partition)}@${record.offset}: ${reason}`,
        );
    } catch (error) {
      // Nothing of the batch is visible: keep it and retry, as Firehose retries a failed delivery.
      buffer.restore(records);
      stats.failedDeliveries++;
      stats.lastError = (error as Error).message;
      log(`sink ${spec.key}: delivery to ${target.description} failed, retrying: ${stats.lastError}`);
      schedule(deps.retryDelayMs ?? 1000);
      throw error;
    }
    // Only now is it safe to move the group forward.
    await consumer.commitOffsets(
      Object.entries(offsets).map(([key, offset]) => {
        const dash = key.lastIndexOf('-');
        return { topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), offset };
      }),
    );
  };

  /** Deliveries run one at a time, in order. */
  const flush = (): Promise<void> => {
    const run = chain.then(deliver);
    chain = run.catch(() => {});
    return run;
  };

  const starts = await sinkStartOffsets(deps.kafka, spec, groupId);
  await consumer.connect();
  await consumer.subscribe({ topic: spec.topic, fromBeginning: spec.startFrom !== 'latest' });
  // Seeks made while the group is joined are applied before the partition's first fetch.
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assigned = new Set(event.payload.memberAssignment[spec.topic] ?? []);
    for (const rewind of rewinds.splice(0)) {
      if (assigned.has(rewind.partition))
        consumer.seek({ topic: spec.topic, partition: rewind.partition, offset: rewind.from });
      else rewinds.push(rewind);
    }
  });
  const joined = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, (event) => {
      off();
      void seekToStart(consumer, spec.topic, starts, event).then(resolve, resolve);
    });
  });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const key = partitionKey(batch.topic, batch.partition);
      const now = clock();
      let skippedTo: bigint | undefined;
      for (const message of batch.messages) {
        const offset = BigInt(message.offset);
        if (offset < (position.get(key) ?? 0n)) {
          stats.recordsSkipped++;
          skippedTo = offset + 1n;
          continue;
        }
        position.set(key, offset + 1n);
        const record: BufferedRecord = {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          timestampMs: Number(message.timestamp),
          arrivalMs: now,
          value: message.value,
        };
        buffer.add(record);
        stats.recordsIn++;
      }
      // Re-delivered records the table already holds: move the group past them now, unless records of
      // this partition wait in the buffer (the delivery commits then).
      if (skippedTo !== undefined && !buffer.holds(batch.topic, batch.partition))
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: skippedTo.toString() },
        ]);
      // A failed delivery keeps its records buffered and retries on a timer; consuming goes on meanwhile.
      if (buffer.full || (buffer.count > 0 && spec.bufferIntervalMs === 0)) await flush().catch(() => {});
      else if (buffer.count > 0)
        schedule(Math.max(0, (buffer.oldestArrivalMs ?? now) + spec.bufferIntervalMs - now));
      await heartbeat();
    },
  });
  await joined;
  log(`sink ${spec.key}: ${spec.topic} → ${target.description} (group ${groupId})`);

  return {
    flush,
    async stop(options = {}) {
      if (options.flush !== false) await flush().catch(() => {});
      stopped = true;
      if (timer) clearTimeout(timer);
      await chain;
      await consumer.disconnect();
    },
    stats() {
      const oldest = buffer.oldestTimestampMs;
      return {
        ...stats,
        bufferedRecords: buffer.count,
        bufferedBytes: buffer.sizeInBytes,
        dataFreshnessMs: oldest === undefined ? 0 : Math.max(0, clock() - oldest),
      };
    },
  };
}
