/**
 * Observed lineage (`stratus lineage --observed`): samples the newest records of every topic and reads the
 * lineage headers the handler SDK writes on each output record (lib/core/lineage.ts: tenant and consumer of
 * the writer). A writer the manifests do not declare for that topic — another team's function writing into
 * it, a consumer removed from its manifest but still running, a processor whose output was changed — is
 * reported, so a platform team can run this in CI or on a schedule and fail on drift.
 */
import type { Kafka } from 'kafkajs';
import { LINEAGE_HEADERS } from '../core/lineage.ts';
import type { StratusSpec, TopicSpec } from '../manifest/spec.ts';
import { type OffsetRange, readRanges } from '../ops/shared/read-range.ts';
import { topicOwner } from './graph.ts';

export type WriterVerdict =
  /** The manifests declare this consumer as a writer of the topic (its output or its DLQ). */
  | 'declared'
  /** The tenant exists but has no such consumer: removed from the manifest, still running somewhere. */
  | 'unknown-consumer'
  /** The consumer exists but does not write this topic: a stale deployment or a hand-made producer. */
  | 'undeclared-output'
  /** A writer of another tenant that is not declared: writes never cross tenants. */
  | 'foreign-tenant';

export interface ObservedWriter {
  topic: string;
  tenant: string;
  consumer: string;
  records: number;
  /** Epoch ms of the newest sampled record from this writer. */
  lastSeen: number;
  verdict: WriterVerdict;
}

export interface ObservedTopic {
  topic: string;
  /** Records read (the newest `sample` per partition at most). */
  sampled: number;
  /** Records without lineage headers: written by a producer outside Stratus' handlers (a source). */
  unattributed: number;
  writers: ObservedWriter[];
}

export interface ObservedLineage {
  topics: ObservedTopic[];
  /** Every writer whose verdict is not `declared`. */
  undeclared: ObservedWriter[];
}

export interface ObserveOptions {
  kafka: Kafka;
  spec: StratusSpec;
  /** Topics to sample (by default every topic of the spec's tenants). */
  topics?: TopicSpec[];
  /** Newest records per partition to read. @default 200 */
  sample?: number;
}

/** Which consumers (`<tenant>/<consumer>`) the manifests declare as writers of each topic. */
export function declaredWriters(spec: StratusSpec): Map<string, Set<string>> {
  const writers = new Map<string, Set<string>>();
  const add = (topic: string, writer: string) => {
    if (!writers.has(topic)) writers.set(topic, new Set());
    writers.get(topic)!.add(writer);
  };
  for (const tenant of spec.tenants)
    for (const consumer of tenant.consumers) {
      if (consumer.output) add(consumer.output, `${tenant.name}/${consumer.key}`);
      if (consumer.onFailureTopic) add(consumer.onFailureTopic, `${tenant.name}/${consumer.key}`);
    }
  return writers;
}

export function judgeWriter(
  spec: StratusSpec,
  declared: Map<string, Set<string>>,
  topic: string,
  tenant: string,
  consumer: string,
): WriterVerdict {
  if (declared.get(topic)?.has(`${tenant}/${consumer}`)) return 'declared';
  if (tenant !== topicOwner(topic)) return 'foreign-tenant';
  const owner = spec.tenants.find((t) => t.name === tenant);
  if (!owner?.consumers.some((c) => c.key === consumer)) return 'unknown-consumer';
  return 'undeclared-output';
}

export async function observeLineage(options: ObserveOptions): Promise<ObservedLineage> {
  const { kafka, spec } = options;
  const sample = BigInt(options.sample ?? 200);
  const topics = options.topics ?? spec.tenants.flatMap((t) => t.topics);
  const declared = declaredWriters(spec);
  const admin = kafka.admin();
  await admin.connect();
  const results: ObservedTopic[] = [];
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics) {
      if (!existing.has(topic.name)) continue;
      const ranges: OffsetRange[] = (await admin.fetchTopicOffsets(topic.name)).map((p) => {
        const high = BigInt(p.high);
        const low = BigInt(p.low);
        const from = high - sample > low ? high - sample : low;
        return { partition: p.partition, from: String(from), to: String(high) };
      });
      const writers = new Map<string, ObservedWriter>();
      let sampled = 0;
      let unattributed = 0;
      await readRanges({
        kafka,
        topic: topic.name,
        ranges,
        groupPrefix: `${topicOwner(topic.name)}.`,
        onBatch: (records) => {
          for (const record of records) {
            sampled++;
            const tenant = record.headers[LINEAGE_HEADERS.tenant];
            const consumer = record.headers[LINEAGE_HEADERS.consumer];
            if (!tenant || !consumer) {
              unattributed++;
              continue;
            }
            const key = `${tenant}/${consumer}`;
            const writer = writers.get(key) ?? {
              topic: topic.name,
              tenant,
              consumer,
              records: 0,
              lastSeen: 0,
              verdict: judgeWriter(spec, declared, topic.name, tenant, consumer),
            };
            writer.records++;
            writer.lastSeen = Math.max(writer.lastSeen, Number(record.timestamp));
            writers.set(key, writer);
          }
        },
      });
      results.push({ topic: topic.name, sampled, unattributed, writers: [...writers.values()] });
    }
  } finally {
    await admin.disconnect();
  }
  return {
    topics: results,
    undeclared: results.flatMap((t) => t.writers.filter((w) => w.verdict !== 'declared')),
  };
}

const VERDICT_TEXT: Record<Exclude<WriterVerdict, 'declared'>, string> = {
  'unknown-consumer': 'no such consumer in the manifests (removed but still running?)',
  'undeclared-output': 'the manifest does not declare this topic as its output or DLQ',
  'foreign-tenant': "another tenant's writer: only the owner writes its topics",
};

export function renderObserved(observed: ObservedLineage): string {
  const lines: string[] = [];
  for (const topic of observed.topics) {
    const writers = topic.writers
      .map((w) => `${w.tenant}/${w.consumer} ×${w.records}${w.verdict === 'declared' ? '' : ' UNDECLARED'}`)
      .join(', ');
    lines.push(
      `${topic.topic}: ${topic.sampled} sampled, ${topic.unattributed} from outside producers${writers ? `; writers ${writers}` : ''}`,
    );
  }
  if (observed.undeclared.length === 0) {
    lines.push('', 'every observed writer is declared in the manifests');
  } else {
    lines.push(
      '',
      `${observed.undeclared.length} undeclared writer${observed.undeclared.length === 1 ? '' : 's'}:`,
    );
    for (const w of observed.undeclared)
      lines.push(
        `  ${w.tenant}/${w.consumer} → ${w.topic}: ${w.records} records, last ${new Date(w.lastSeen).toISOString()} — ${VERDICT_TEXT[w.verdict as Exclude<WriterVerdict, 'declared'>]}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
