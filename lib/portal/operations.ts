/**
 * The DLQ and Replay pages' actions, each a call into lib/ops — the code behind `stratus dlq` and `stratus
 * replay` — with the page's inputs checked the way the CLI checks its flags.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { recordCoordinate } from '../core/record-coordinate.ts';
import { statePaths } from '../local/state-dir.ts';
import type { StratusSpec } from '../manifest/spec.ts';
import { localConsumerControl } from '../ops/consumer-control.ts';
import { type DlqEntry, errorClassOf } from '../ops/dlq/entry.ts';
import type { LedgerEntry } from '../ops/dlq/ledger.ts';
import { getDlqEntry, listDlq } from '../ops/dlq/list.ts';
import { parseDlqRecordId } from '../ops/dlq/record-id.ts';
import { DEFAULT_MAX_REDRIVES, redriveDlq } from '../ops/dlq/redrive.ts';
import { formatAge, showDlqEntry } from '../ops/dlq/render.ts';
import { DLQ_FILTER_FIELDS, type DlqFilter, type DlqFilterField } from '../ops/dlq/select.ts';
import { explainFailure, localFunctionLogs } from '../ops/dlq/why.ts';
import type { ReplayPlan } from '../ops/replay/plan.ts';
import { replayLiveGroup } from '../ops/replay/run.ts';
import { windowProblem } from '../ops/replay/window.ts';
import { localControlToken } from '../ops/shared/local-endpoints.ts';
import { findConsumer, findTenant } from '../ops/shared/target.ts';
import { PortalInputError } from './http.ts';
import type { LiveState } from './live.ts';

/** A DLQ selection from the page: the CLI's filters, plus record ids and whether redriven records count. */
export function dlqFilterOf(input: Record<string, unknown>): { filter: DlqFilter; status: string } {
  const text = (key: string) => {
    const value = input[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new PortalInputError(`${key} must be text`);
    return value;
  };
  const filter: DlqFilter = {};
  const consumer = text('consumer');
  if (consumer) filter.consumer = consumer;
  const since = text('since');
  if (since) {
    const date = new Date(since);
    if (Number.isNaN(date.getTime())) throw new PortalInputError(`since "${since}" is not a date and time`);
    filter.since = date;
  }
  const match = DLQ_FILTER_FIELDS.flatMap((field: DlqFilterField) => {
    const value = text(field);
    return value ? [{ field, value }] : [];
  });
  if (match.length > 0) filter.match = match;
  const ids = input.ids;
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !parseDlqRecordId(id)))
      throw new PortalInputError('ids must be a list of <partition>:<offset> record ids');
    filter.ids = ids as string[];
  }
  const status = text('status') ?? 'waiting';
  if (!['waiting', 'redriven', 'all'].includes(status))
    throw new PortalInputError('status must be waiting, redriven or all');
  return { filter, status };
}

type ListedEntry = DlqEntry & { redriven?: LedgerEntry };

function row(entry: ListedEntry, now: number) {
  const envelope = entry.envelope;
  return {
    id: entry.id,
    deadLetteredAt: new Date(entry.timestamp).toISOString(),
    age: formatAge(entry.timestamp, now),
    consumer: envelope?.consumer,
    reason: envelope?.reason,
    errorClass: errorClassOf(entry),
    message: envelope?.error.message ?? entry.problem,
    source: envelope
      ? recordCoordinate(envelope.source.topic, envelope.source.partition, envelope.source.offset)
      : undefined,
    attempts: envelope?.attempts,
    redriveCount: entry.redriveCount,
    redrivenAt: entry.redriven?.redrivenAt,
  };
}

export async function dlqList(
  kafka: Kafka,
  spec: StratusSpec,
  tenantName: string,
  input: Record<string, unknown>,
) {
  const tenant = findTenant(spec, tenantName);
  const { filter, status } = dlqFilterOf(input);
  if (filter.consumer) findConsumer(tenant, filter.consumer);
  const listing = await listDlq(kafka, tenant.name, filter);
  const now = Date.now();
  const entries = listing.entries.filter((entry) =>
    status === 'all' ? true : status === 'redriven' ? entry.redriven : !entry.redriven,
  );
  return {
    topic: listing.topic,
    total: listing.total,
    countsByErrorClass: listing.countsByErrorClass,
    consumers: tenant.consumers.map((c) => c.key),
    entries: entries.map((entry) => row(entry, now)),
  };
}

export async function dlqShow(kafka: Kafka, spec: StratusSpec, tenantName: string, idText: string) {
  const tenant = findTenant(spec, tenantName);
  const id = parseDlqRecordId(idText);
  if (!id) throw new PortalInputError(`"${idText}" is not a DLQ record id (<partition>:<offset>)`);
  const entry = await getDlqEntry(kafka, tenant.name, id);
  const logFile = path.join(statePaths(spec.platform).logDir, 'functions.log');
  const why = entry.envelope
    ? await explainFailure(
        entry.envelope,
        localFunctionLogs(logFile, path.relative(spec.platform.rootDir, logFile)),
      )
    : undefined;
  return { ...showDlqEntry(entry), why };
}

export async function dlqRedrive(
  kafka: Kafka,
  spec: StratusSpec,
  tenantName: string,
  input: Record<string, unknown>,
) {
  const tenant = findTenant(spec, tenantName);
  const { filter } = dlqFilterOf(input);
  if (filter.consumer) findConsumer(tenant, filter.consumer);
  if (!filter.ids || filter.ids.length === 0)
    throw new PortalInputError('select the records to redrive (ids)');
  const maxRedrives = input.maxRedrives === undefined ? DEFAULT_MAX_REDRIVES : Number(input.maxRedrives);
  if (!Number.isInteger(maxRedrives) || maxRedrives < 1)
    throw new PortalInputError('maxRedrives must be a whole number of at least 1');
  const dryRun = input.dryRun !== false;
  const outcome = await redriveDlq({ kafka, tenant: tenant.name, filter, maxRedrives, dryRun });
  return {
    dryRun: outcome.dryRun,
    redriven: outcome.redriven,
    skipped: outcome.skipped,
    decisions: outcome.decisions.map((decision) => ({
      id: decision.entry.id,
      action: decision.action,
      ...(decision.action === 'redrive'
        ? {
            to: decision.entry.envelope?.source.topic,
            redriveCount: decision.redriveCount,
            target: decision.target,
          }
        : { reason: decision.reason }),
    })),
  };
}

/** The replay window the page sends: a time in the past. */
function replayWindow(input: Record<string, unknown>): { from: Date } {
  const from = new Date(String(input.from ?? ''));
  if (Number.isNaN(from.getTime()))
    throw new PortalInputError(`from "${String(input.from ?? '')}" is not a date and time`);
  const problem = windowProblem({ from });
  if (problem) throw new PortalInputError(`${problem}; nothing was changed`);
  return { from };
}

interface ReplayJob {
  id: string;
  tenant: string;
  consumer: string;
  groupId: string;
  startedAt: number;
  plan: ReplayPlan;
  applied: ReplayPlan;
  note: string;
}

/** Live replays started from the portal (their progress is read from the group's positions). */
export class ReplayJobs {
  readonly #jobs = new Map<string, ReplayJob>();

  async plan(
    kafka: Kafka,
    spec: StratusSpec,
    tenantName: string,
    consumerKey: string,
    input: Record<string, unknown>,
  ) {
    const consumer = findConsumer(findTenant(spec, tenantName), consumerKey);
    const outcome = await replayLiveGroup({
      kafka,
      consumer,
      window: replayWindow(input),
      control: { description: 'none (dry run)', pause: () => Promise.reject(new Error('dry run')) },
      confirm: async () => false,
      dryRun: true,
    });
    return outcome.plan;
  }

  /**
   * Pauses the consumer in the running `stratus dev` (its control route, with the token from the state
   * directory, as `stratus replay` does), resets the group and resumes it. `expectRecords` is the count the
   * person confirmed: a plan that grew since is applied anyway (the consumer kept working), one that shrank to
   * nothing is not.
   */
  async run(
    kafka: Kafka,
    spec: StratusSpec,
    runtimeUrl: string | undefined,
    tenantName: string,
    consumerKey: string,
    input: Record<string, unknown>,
  ) {
    const tenant = findTenant(spec, tenantName);
    const consumer = findConsumer(tenant, consumerKey);
    if (input.confirmed !== true)
      throw new PortalInputError('a replay runs only after the plan was confirmed (confirmed: true)');
    const { token, file } = localControlToken(spec.platform);
    const control = localConsumerControl({
      groupId: consumer.groupId,
      runtimeUrl: runtimeUrl ?? `http://127.0.0.1:${spec.platform.local.metricsPort}`,
      token,
      tokenFile: file,
    });
    const outcome = await replayLiveGroup({
      kafka,
      consumer,
      window: replayWindow(input),
      control,
      confirm: async () => true,
    });
    if (outcome.status !== 'applied') return { status: outcome.status, plan: outcome.plan };
    const job: ReplayJob = {
      id: randomUUID(),
      tenant: tenant.name,
      consumer: consumer.key,
      groupId: consumer.groupId,
      startedAt: Date.now(),
      plan: outcome.plan,
      applied: outcome.applied,
      note: outcome.pauseNote,
    };
    this.#jobs.set(job.id, job);
    return {
      status: 'applied',
      id: job.id,
      plan: outcome.plan,
      applied: outcome.applied,
      note: outcome.pauseNote,
    };
  }

  /** How far the consumer got through the replayed records: its position against target and old commit. */
  progress(id: string, live: LiveState) {
    const job = this.#jobs.get(id);
    if (!job) throw new PortalInputError(`no replay ${id} in this portal`, 404);
    const group = live.latest.groups[job.groupId];
    const partitions = job.applied.partitions
      .filter((p) => p.records > 0)
      .map((p) => {
        const position =
          group?.partitions.find((x) => x.partition === p.partition)?.position ?? Number(p.target);
        const done = Math.min(p.records, Math.max(0, position - Number(p.target)));
        return { partition: p.partition, target: p.target, until: p.committed, records: p.records, done };
      });
    const records = partitions.reduce((total, p) => total + p.records, 0);
    const done = partitions.reduce((total, p) => total + p.done, 0);
    return {
      id: job.id,
      tenant: job.tenant,
      consumer: job.consumer,
      groupId: job.groupId,
      startedAt: job.startedAt,
      sampledAt: live.latest.at,
      note: job.note,
      records,
      done,
      finished: records > 0 && done >= records,
      partitions,
    };
  }
}
