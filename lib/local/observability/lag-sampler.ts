/**
 * Reads consumer lag every few seconds and publishes it as metrics: offset and time lag per partition, and
 * per group the consumption rate, the topic's produce rate and the drain estimate, measured over a rate
 * window (rates between two samples a few seconds apart are too noisy to act on). Samples never overlap.
 */
import type { Kafka } from 'kafkajs';
import {
  type GroupLag,
  type GroupLagWithRates,
  LagReader,
  type LagTarget,
  withRates,
} from '../../ops/lag.ts';
import type { StratusMetrics } from './metrics.ts';

export interface LagSamplerOptions {
  kafka: Kafka;
  targets: LagTarget[];
  /** Topics whose log end is tracked too (the tenants' DLQs, for the DLQ alarm). */
  watchTopics?: string[];
  metrics: StratusMetrics;
  /**
   * Time between samples.
   * @default 5000
   */
  intervalMs?: number;
  /**
   * Rates are measured against the oldest sample at most this old.
   * @default 30_000
   */
  rateWindowMs?: number;
  /** Called after every sample, successful or not. */
  onSample?: (sample: LagSample) => void;
}

export interface LagSample {
  /** Epoch ms when the sample finished. */
  at: number;
  /** Every target's lag with rates; undefined when the sample failed. */
  groups?: GroupLagWithRates[];
  /** Sum of the log ends of each watched topic. */
  topicEnds?: Map<string, number>;
  /** Why the sample failed. */
  error?: string;
}

export class LagSampler {
  readonly #options: LagSamplerOptions;
  readonly #reader: LagReader;
  readonly #history: { at: number; groups: GroupLag[] }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<LagSample> | undefined;
  #stopped = true;
  #latest: LagSample | undefined;

  constructor(options: LagSamplerOptions) {
    this.#options = options;
    this.#reader = new LagReader({ kafka: options.kafka });
  }

  /** The last finished sample. */
  get latest(): LagSample | undefined {
    return this.#latest;
  }

  /** Samples now and then every `intervalMs` until `stop()`. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = async () => {
      await this.sample();
      if (this.#stopped) return;
      this.#timer = setTimeout(tick, this.#options.intervalMs ?? 5_000);
      this.#timer.unref();
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
    await this.#reader.close();
  }

  /** One sample now (waits for a running one instead of overlapping it). */
  async sample(): Promise<LagSample> {
    if (this.#running) return this.#running;
    this.#running = this.#take().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #take(): Promise<LagSample> {
    const { metrics, targets } = this.#options;
    let sample: LagSample;
    try {
      const groups = await this.#reader.read(targets);
      const topicEnds = new Map<string, number>();
      for (const topic of this.#options.watchTopics ?? [])
        topicEnds.set(topic, await this.#reader.logEnd(topic));
      const at = Date.now();
      const windowStart = at - (this.#options.rateWindowMs ?? 30_000);
      while (this.#history.length > 1 && this.#history[1]!.at <= windowStart) this.#history.shift();
      // The oldest sample kept is the last one at or before the window's start (or the first ever).
      const rated = withRates(this.#history[0]?.groups ?? [], groups);
      this.#history.push({ at, groups });
      sample = { at, groups: rated, topicEnds };
      this.#publish(rated);
      metrics.lagSamples.inc({ outcome: 'ok' });
      metrics.lagSampleTime.set(at / 1000);
    } catch (error) {
      // Missing data, as CloudWatch would have it: no stale lag that looks current.
      this.#publish([]);
      metrics.lagSamples.inc({ outcome: 'error' });
      sample = { at: Date.now(), error: error instanceof Error ? error.message : String(error) };
    }
    this.#latest = sample;
    this.#options.onSample?.(sample);
    return sample;
  }

  #publish(groups: GroupLagWithRates[]): void {
    const { metrics } = this.#options;
    for (const gauge of [
      metrics.offsetLag,
      metrics.timeLag,
      metrics.consumeRate,
      metrics.produceRate,
      metrics.drainEta,
    ])
      gauge.reset();
    for (const group of groups) {
      if (group.error) continue;
      const labels = {
        tenant: group.target.tenant,
        consumer: group.target.groupId,
        topic: group.target.topic,
      };
      for (const partition of group.partitions) {
        const partitionLabels = { ...labels, partition: String(partition.partition) };
        metrics.offsetLag.set(partitionLabels, partition.offsetLag);
        if (partition.timeLagSeconds !== null) metrics.timeLag.set(partitionLabels, partition.timeLagSeconds);
      }
      metrics.consumeRate.set(labels, group.consumeRate);
      metrics.produceRate.set(labels, group.produceRate);
      metrics.drainEta.set(labels, group.etaSeconds ?? Number.POSITIVE_INFINITY);
    }
  }
}
