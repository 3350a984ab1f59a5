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
    'Records delivered to the handler (after filtering).',
    CONSUMER,
  );
  readonly recordsOut = this.#counter(
    'stratus_consumer_records_out_total',
    'Records a processor wrote to its output topic.',
    CONSUMER,
  );
  readonly recordsFailed = this.#counter(
    'stratus_consumer_records_failed_total',
    'Records whose handler failed (reported as batch item failures or a failed invocation).',
    CONSUMER,
  );
  readonly recordsDeadLettered = this.#counter(
    'stratus_consumer_records_dead_lettered_total',
    'Records sent to the on-failure destination (the tenant DLQ).',
    CONSUMER,
  );
  readonly recordsFiltered = this.#counter(
    'stratus_consumer_records_filtered_total',
    'Records dropped by the consumer filters before invocation.',
    CONSUMER,
  );
  readonly recordsDuplicate = this.#counter(
    'stratus_consumer_records_duplicate_total',
    'Records skipped because their idempotency key was already processed.',
    CONSUMER,
  );
  readonly recordsExpired = this.#counter(
    'stratus_consumer_records_expired_total',
    'Records older than maxRecordAge, not invoked.',
    CONSUMER,
  );
  readonly invocations = this.#counter(
    'stratus_consumer_invocations_total',
    'Handler invocations.',
    CONSUMER,
  );
  readonly invocationErrors = this.#counter(
    'stratus_consumer_invocation_errors_total',
    'Invocations that threw or returned batch item failures.',
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
    '1 while the consumer polls, 0 when stopped or paused.',
    CONSUMER,
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
  readonly sinkRunning = this.#gauge('stratus_sink_running', '1 while the sink runs.', SINK);

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
 * What each metric corresponds to on AWS: namespace/metric (statistic). The README table is written from
 * this list and a unit test checks every name here exists in the registry.
 */
export const CLOUDWATCH_EQUIVALENTS: Record<string, string> = {
  stratus_consumer_records_in_total:
    'Stratus/RecordsIn (Sum; SDK EMF) · AWS/Lambda PolledEventCount (ESM EventCount metrics)',
  stratus_consumer_records_out_total: 'Stratus/RecordsOut (Sum; SDK EMF)',
  stratus_consumer_records_failed_total: 'Stratus/RecordsFailed (Sum; SDK EMF)',
  stratus_consumer_records_dead_lettered_total:
    'Stratus/RecordsDeadLettered (Sum; SDK EMF) · AWS/Lambda OnFailureDestinationDeliveredEventCount',
  stratus_consumer_records_filtered_total: 'AWS/Lambda FilteredOutEventCount (ESM EventCount metrics)',
  stratus_consumer_records_duplicate_total: 'Stratus/RecordsDuplicate (Sum; SDK EMF)',
  stratus_consumer_records_expired_total: 'AWS/Lambda DroppedEventCount (ESM EventCount metrics)',
  stratus_consumer_invocations_total: 'AWS/Lambda Invocations (Sum)',
  stratus_consumer_invocation_errors_total: 'AWS/Lambda Errors (Sum)',
  stratus_consumer_invocation_duration_seconds: 'AWS/Lambda Duration (ms; p50/p99/Maximum)',
  stratus_consumer_batch_size_records: 'AWS/Lambda PolledEventCount ÷ Invocations',
  stratus_consumer_offset_lag:
    'AWS/Kafka OffsetLag (per partition) · AWS/Lambda OffsetLag; max → MaxOffsetLag, sum → SumOffsetLag',
  stratus_consumer_time_lag_seconds: 'AWS/Kafka EstimatedTimeLag (per partition); max → EstimatedMaxTimeLag',
  stratus_sink_rows_total:
    'AWS/Firehose DeliveryToIceberg.SuccessfulRowCount (DeliveryToS3.Records for parquet/json)',
  stratus_sink_failed_rows_total: 'AWS/Firehose DeliveryToIceberg.FailedRowCount',
  stratus_sink_bytes_total: 'AWS/Firehose DeliveryToIceberg.Bytes (DeliveryToS3.Bytes)',
  stratus_sink_commits_total: 'AWS/Firehose DeliveryToIceberg.Success (DeliveryToS3.Success)',
  stratus_sink_data_freshness_seconds:
    'AWS/Firehose DeliveryToIceberg.DataFreshness (DeliveryToS3.DataFreshness; Maximum)',
  stratus_alarm_state: 'CloudWatch alarm state (OK / ALARM / INSUFFICIENT_DATA)',
};
