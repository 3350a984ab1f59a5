/**
 * What a hot reload changes, from the spec before and after an edit and the files that changed: only what the
 * edit touched. A consumer whose settings changed is restarted (its batch in flight is committed first); one
 * whose handler code or schemas changed gets new execution environments; new consumers start, removed ones stop;
 * topics are provisioned (new ones created, changed settings applied). Sinks are not hot-reloaded.
 */
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ConsumerSpec, TenantSpec, TopicSpec } from '../../manifest/spec.ts';

export interface ReloadPlan {
  /** Every topic of the running tenants after the edit; provisioning creates the new and updates the changed. */
  topics: TopicSpec[];
  start: Array<{ tenant: TenantSpec; consumer: ConsumerSpec }>;
  stop: string[];
  restart: Array<{ tenant: TenantSpec; consumer: ConsumerSpec; changed: string[] }>;
  replace: Array<{ groupId: string; because: string }>;
  /** Changes a reload does not apply (sinks), for a line telling the user to restart. */
  notApplied: string[];
}

const CODE = /\.(ts|mts|js|mjs|cjs|json)$/;

/** The settings of a consumer that matter at run time (its position in the file does not). */
function settingsOf(consumer: ConsumerSpec): Record<string, unknown> {
  const { source: _source, ...settings } = consumer;
  return settings;
}

function changedFields(before: ConsumerSpec, after: ConsumerSpec): string[] {
  const a = settingsOf(before);
  const b = settingsOf(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (key) => !isDeepStrictEqual(a[key], b[key]),
  );
}

export function planReload(
  before: readonly TenantSpec[],
  after: readonly TenantSpec[],
  changedFiles: readonly string[],
  rootDir: string,
): ReloadPlan {
  const plan: ReloadPlan = {
    topics: after.flatMap((t) => t.topics),
    start: [],
    stop: [],
    restart: [],
    replace: [],
    notApplied: [],
  };
  const old = new Map(before.flatMap((t) => t.consumers.map((c) => [c.groupId, c] as const)));
  const now = new Map(
    after.flatMap((t) => t.consumers.map((c) => [c.groupId, { tenant: t, consumer: c }] as const)),
  );
  const schemaOf = (tenants: readonly TenantSpec[], topic: string | undefined) =>
    tenants.flatMap((t) => t.topics).find((x) => x.name === topic)?.schema;

  for (const groupId of old.keys()) if (!now.has(groupId)) plan.stop.push(groupId);
  for (const [groupId, { tenant, consumer }] of now) {
    const previous = old.get(groupId);
    if (!previous) {
      plan.start.push({ tenant, consumer });
      continue;
    }
    const changed = changedFields(previous, consumer);
    if (changed.length > 0) {
      plan.restart.push({ tenant, consumer, changed });
      continue;
    }
    const handlerDir = path.dirname(path.resolve(rootDir, consumer.handlerFile));
    const code = changedFiles.find((file) => CODE.test(file) && path.dirname(file) === handlerDir);
    const schemaChanged = [consumer.topic, consumer.output].some(
      (topic) => topic && !isDeepStrictEqual(schemaOf(before, topic), schemaOf(after, topic)),
    );
    if (code) plan.replace.push({ groupId, because: `${path.relative(rootDir, code)} changed` });
    else if (schemaChanged) plan.replace.push({ groupId, because: 'a schema it reads or writes changed' });
  }

  const sinks = (tenants: readonly TenantSpec[]) =>
    new Map(
      tenants.flatMap((t) =>
        t.sinks.map((s) => [`${t.name}.${s.key}`, { ...s, source: undefined }] as const),
      ),
    );
  const [sinksBefore, sinksAfter] = [sinks(before), sinks(after)];
  for (const name of new Set([...sinksBefore.keys(), ...sinksAfter.keys()]))
    if (!isDeepStrictEqual(sinksBefore.get(name), sinksAfter.get(name))) plan.notApplied.push(`sink ${name}`);
  return plan;
}
