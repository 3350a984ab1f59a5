/**
 * The local runtime's Prometheus metrics: one registry, one definition of every name and label. Each metric
 * stands for a CloudWatch metric the same pipeline has on AWS (see CLOUDWATCH_EQUIVALENTS and the README),
 * so a dashboard or an alarm threshold means the same thing in both places.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Labels of per-consumer metrics. `consumer` is the consumer group id (`payments.enrich-orders`). */
export type ConsumerLabels = 'tenant' | 'consumer' | 'topic';
/** Labels of per-sink metrics. `sink` is `<tenant>.<sink key>` (`payments.orders-lake`). */
export type SinkLabels = 'tenant' | 'sink' | 'topic' | 'format';
export type AlarmLabels = 'tenant' | 'alarm' | 'resource';

const CONSUMER: ConsumerLabels[] = ['tenant', 'consumer', 'topic'];
const PARTITION: (ConsumerLabels | 'partition')[] = [...CONSUMER, 'partition'];
const SINK: SinkLabels[] = ['tenant', 'sink', 'topic', 'format'];
const ALARM: AlarmLabels[] = ['tenant', 'alarm', 'resource'];

/** Seconds; Lambda durations run from milliseconds to the 15-minute timeout. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
/** Records per invocation; the event-source mapping allows 1–10,000. */
const BATCH_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** Every metric of the local runtime, registered on `registry`. */
export class StratusMetrics {
  readonly registry = new Registry();

  readonly recordsIn = this.#counter(
    'stratus_consumer_records_in_total',
    'Records delivered to the handler, retries included (after filtering).',
    CONSUMER,
  );
  readonly recordsFailed = this.#counter(
    'stratus_consumer_records_failed_total',
    'Records of invocations that failed with a function error.',
    CONSUMER,
  );
  readonly recordsDeadLettered = this.#counter(
    'stratus_consumer_records_dead_lettered_total',
    'Records given up on and written to the on-failure destination (the tenant DLQ).',
    CONSUMER,
  );
  readonly recordsDropped = this.#counter(
    'stratus_consumer_records_dropped_total',
    'Records given up on with no on-failure destination (discarded, as Lambda does).',
    CONSUMER,
  );
  readonly recordsGivenUp = this.#counter(
    'stratus_consumer_records_given_up_total',
    'Records given up on, by reason (RETRIES_EXHAUSTED, RECORD_EXPIRED, …).',
    [...CONSUMER, 'reason'],
  );
  readonly recordsFiltered = this.#counter(
    'stratus_consumer_records_filtered_total',
    'Records dropped by the consumer filters before invocation.',
    CONSUMER,
  );
  readonly invocations = this.#counter(
    'stratus_consumer_invocations_total',
    'Handler invocations.',
    CONSUMER,
  );
  readonly invocationErrors = this.#counter(
    'stratus_consumer_invocation_errors_total',
    'Invocations that failed with a function error (threw, timed out, crashed).',
    CONSUMER,
  );
  readonly partialBatchResponses = this.#counter(
    'stratus_consumer_partial_batch_responses_total',
    'Invocations that returned batchItemFailures.',
    CONSUMER,
  );
  readonly consumerErrors = this.#counter(
    'stratus_consumer_internal_errors_total',
    'Errors of the event-source emulator outside the function (commit, DLQ write, consumer).',
    [...CONSUMER, 'stage'],
  );
  readonly committedOffset = this.#gauge(
    'stratus_consumer_committed_offset',
    'The offset the emulator last committed (the next record to read), per partition.',
    PARTITION,
  );
  readonly handlerRecordsIn = this.#counter(
    'stratus_handler_records_in_total',
    'Records the handler SDK received (its RecordsIn EMF metric).',
    CONSUMER,
  );
  readonly handlerRecordsOut = this.#counter(
    'stratus_handler_records_out_total',
    'Records a processor wrote to its output topic (SDK RecordsOut).',
    CONSUMER,
  );
  readonly handlerRecordsFailed = this.#counter(
    'stratus_handler_records_failed_total',
    'Records whose handler threw, reported as batch item failures (SDK RecordsFailed).',
    CONSUMER,
  );
  readonly handlerRecordsDeadLettered = this.#counter(
    'stratus_handler_records_dead_lettered_total',
    'Invalid records (undecodable, schema violations) the SDK wrote to the DLQ itself (SDK RecordsDeadLettered).',
    CONSUMER,
  );
  readonly handlerRecordsDuplicate = this.#counter(
    'stratus_handler_records_duplicate_total',
    'Records skipped because their idempotency key was already processed (SDK RecordsDuplicate).',
    CONSUMER,
  );
  readonly handlerRecordsDropped = this.#counter(
    'stratus_handler_records_dropped_total',
    'Records a processor produced no output for on purpose: returned nothing, duplicates, tombstones (SDK RecordsDropped).',
    CONSUMER,
  );
  readonly duration = new Histogram({
    name: 'stratus_consumer_invocation_duration_seconds',
    help: 'Handler invocation duration.',
    labelNames: CONSUMER,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'stratus_consumer_batch_size_records',
    help: 'Records per invocation.',
    labelNames: CONSUMER,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly batchBytes = new Histogram({
    name: 'stratus_consumer_batch_size_bytes',
    help: 'Payload bytes per invocation (the event-source mapping caps it at 6 MB).',
    labelNames: CONSUMER,
    buckets: [1024, 16384, 65536, 262144, 1048576, 3145728, 6291456],
    registers: [this.registry],
  });
  readonly consumerRunning = this.#gauge(
    'stratus_consumer_running',
    '1 while the consumer runs, 0 when stopped or paused (its status at scrape time).',
    CONSUMER,
  );
  readonly sinkRunning = this.#gauge(
    'stratus_sink_running',
    '1 while the sink runs (its status at scrape time).',
    SINK,
  );

  readonly offsetLag = this.#gauge(
    'stratus_consumer_offset_lag',
    'Records between the group position and the log end, per partition.',
    PARTITION,
  );
  readonly timeLag = this.#gauge(
    'stratus_consumer_time_lag_seconds',
    'Now minus the timestamp of the next unconsumed record, per partition (0 when caught up).',
    PARTITION,
  );
  readonly consumeRate = this.#gauge(
    'stratus_consumer_consumption_rate',
    'Records per second the group advanced over the rate window.',
    CONSUMER,
  );
  readonly produceRate = this.#gauge(
    'stratus_consumer_topic_produce_rate',
    "Records per second produced to the group's topic over the rate window.",
    CONSUMER,
  );
  readonly drainEta = this.#gauge(
    'stratus_consumer_drain_eta_seconds',
    'Estimated seconds until the lag reaches 0; +Inf when the group is not gaining on its topic.',
    CONSUMER,
  );
  readonly lagSamples = this.#counter('stratus_lag_samples_total', 'Lag samples taken, by outcome.', [
    'outcome',
  ]);
  readonly lagSampleTime = this.#gauge(
    'stratus_lag_last_sample_timestamp_seconds',
    'When lag was last read successfully.',
    [],
  );

  readonly sinkRecordsIn = this.#counter(
    'stratus_sink_records_in_total',
    'Records the sink read from Kafka.',
    SINK,
  );
  readonly sinkFailedDeliveries = this.#counter(
    'stratus_sink_failed_deliveries_total',
    'Deliveries that failed and were retried (catalog or bucket unreachable).',
    SINK,
  );
  readonly sinkRows = this.#counter('stratus_sink_rows_total', 'Rows committed to the table.', SINK);
  readonly sinkFailedRows = this.#counter(
    'stratus_sink_failed_rows_total',
    'Rows that could not be written (sent to the error output).',
    SINK,
  );
  readonly sinkBytes = this.#counter('stratus_sink_bytes_total', 'Data-file bytes committed.', SINK);
  readonly sinkCommits = this.#counter('stratus_sink_commits_total', 'Successful table commits.', SINK);
  readonly sinkFreshness = this.#gauge(
    'stratus_sink_data_freshness_seconds',
    'Age of the oldest record not yet committed (0 when nothing is pending).',
    SINK,
  );
  readonly sinkBufferedRows = this.#gauge(
    'stratus_sink_buffered_rows',
    'Rows buffered, not yet committed.',
    SINK,
  );

  readonly alarmState = this.#gauge(
    'stratus_alarm_state',
    'Alarm state, one series per state with value 1 for the current one (like CloudWatch: OK, ALARM, INSUFFICIENT_DATA).',
    [...ALARM, 'state'],
  );
  readonly alarmValue = this.#gauge(
    'stratus_alarm_value',
    'The value the alarm last evaluated (NaN when missing).',
    ALARM,
  );
  readonly alarmThreshold = this.#gauge(
    'stratus_alarm_threshold',
    'The alarm threshold from the manifest.',
    ALARM,
  );
  readonly alarmTransitions = this.#counter('stratus_alarm_transitions_total', 'Alarm state changes.', [
    ...ALARM,
    'from',
    'to',
  ]);

  constructor(options: { processMetrics?: boolean } = {}) {
    // Process metrics (CPU, heap, event-loop lag) explain a slow handler locally; prefixed so they group.
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'stratus_' });
  }

  #counter<T extends string>(name: string, help: string, labelNames: readonly T[]): Counter<T> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  #gauge<T extends string>(name: string, help: string, labelNames: readonly T[]): Gauge<T> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

/**
 * What each metric corresponds to on AWS: namespace/metric (statistic). Sources: Lambda event-source mapping
 * metrics https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics,
 * MSK consumer lag https://docs.aws.amazon.com/msk/latest/developerguide/consumer-lag.html, Firehose to Iceberg
 * https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-metric.html. The README table is written from
 * this list and a unit test checks every name here exists in the registry.
 */
export const CLOUDWATCH_EQUIVALENTS: Record<string, string> = {
  stratus_consumer_records_in_total: 'AWS/Lambda InvokedEventCount (ESM EventCount metrics)',
  stratus_consumer_records_failed_total: 'AWS/Lambda FailedInvokeEventCount (ESM EventCount metrics)',
  stratus_consumer_records_dead_lettered_total:
    'AWS/Lambda OnFailureDestinationDeliveredEventCount (ESM EventCount metrics)',
  stratus_consumer_records_dropped_total: 'AWS/Lambda DroppedEventCount (ESM EventCount metrics)',
  stratus_consumer_records_filtered_total: 'AWS/Lambda FilteredOutEventCount (ESM EventCount metrics)',
  stratus_consumer_invocations_total: 'AWS/Lambda Invocations (Sum)',
  stratus_consumer_invocation_errors_total: 'AWS/Lambda Errors (Sum)',
  stratus_consumer_invocation_duration_seconds: 'AWS/Lambda Duration (ms; p50/p99/Maximum)',
  stratus_consumer_batch_size_records: 'AWS/Lambda PolledEventCount ÷ Invocations',
  stratus_handler_records_in_total: 'Stratus RecordsIn (SDK EMF, Sum)',
  stratus_handler_records_out_total: 'Stratus RecordsOut (SDK EMF, Sum)',
  stratus_handler_records_failed_total: 'Stratus RecordsFailed (SDK EMF, Sum)',
  stratus_handler_records_dead_lettered_total: 'Stratus RecordsDeadLettered (SDK EMF, Sum)',
  stratus_handler_records_duplicate_total: 'Stratus RecordsDuplicate (SDK EMF, Sum)',
  stratus_consumer_offset_lag:
    'AWS/Kafka OffsetLag (per partition) and AWS/Lambda OffsetLag; max by group → MaxOffsetLag, sum → SumOffsetLag',
  stratus_consumer_time_lag_seconds:
    'AWS/Kafka EstimatedTimeLag (per partition); max by group → EstimatedMaxTimeLag',
  stratus_sink_records_in_total: 'AWS/Firehose DeliveryToIceberg.IncomingRowCount',
  stratus_sink_rows_total:
    'AWS/Firehose DeliveryToIceberg.SuccessfulRowCount (DeliveryToS3.Records for parquet/json)',
  stratus_sink_failed_rows_total: 'AWS/Firehose DeliveryToIceberg.FailedRowCount',
  stratus_sink_bytes_total: 'AWS/Firehose DeliveryToIceberg.Bytes (DeliveryToS3.Bytes)',
  stratus_sink_commits_total: 'AWS/Firehose DeliveryToIceberg.Success (DeliveryToS3.Success)',
  stratus_sink_data_freshness_seconds:
    'AWS/Firehose DeliveryToIceberg.DataFreshness (DeliveryToS3.DataFreshness; Maximum)',
  stratus_alarm_state: 'CloudWatch alarm state (OK / ALARM / INSUFFICIENT_DATA)',
};
