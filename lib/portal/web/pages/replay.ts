/**
 * Replay a consumer from a point in time: the per-partition plan first (a dry run, as `stratus replay
 * --dry-run`), then an explicit confirmation, then the progress of the consumer through the replayed records.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ReplayPlan } from '../../../ops/replay/plan.ts';
import type { TenantView } from '../../views.ts';
import { getJson, postJson, queryOf, writeAccess } from '../api.ts';
import { html } from '../html.ts';
import { count } from '../parts/format.ts';
import { useJson } from '../parts/use-json.ts';

interface Progress {
  records: number;
  done: number;
  finished: boolean;
  sampledAt: number;
  note: string;
  partitions: Array<{ partition: number; records: number; done: number }>;
}

/** `2026-11-30T10:00` for a datetime-local input, in local time. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function ReplayPage({ tenant }: { tenant: string }) {
  const { data } = useJson<TenantView>(`/api/tenants/${encodeURIComponent(tenant)}`);
  const [consumer, setConsumer] = useState('');
  const [from, setFrom] = useState(localInput(new Date(Date.now() - 10 * 60_000)));
  const [plan, setPlan] = useState<{ data?: ReplayPlan; error?: string; busy?: boolean }>({});
  const [job, setJob] = useState<{ id?: string; error?: string; status?: string; busy?: boolean }>({});
  const [progress, setProgress] = useState<Progress | undefined>();
  const [access, setAccess] = useState<{ ok: boolean; why?: string }>({ ok: false });
  useEffect(() => void writeAccess().then(setAccess), []);
  useEffect(() => {
    if (!consumer && data?.consumers[0]) setConsumer(data.consumers[0].key);
  }, [data]);
  useEffect(() => {
    if (!job.id) return;
    const timer = setInterval(() => {
      getJson<Progress>(`/api/replays/${job.id}`)
        .then(setProgress)
        .catch(() => {});
    }, 1000);
    return () => clearInterval(timer);
  }, [job.id]);

  const fromIso = () => new Date(from).toISOString();
  const showPlan = async (e: Event) => {
    e.preventDefault();
    setPlan({ busy: true });
    setJob({});
    setProgress(undefined);
    try {
      const data = await getJson<ReplayPlan>(
        `/api/tenants/${encodeURIComponent(tenant)}/consumers/${encodeURIComponent(consumer)}/replay-plan${queryOf({ from: fromIso() })}`,
      );
      setPlan({ data });
    } catch (error) {
      setPlan({ error: (error as Error).message });
    }
  };
  const confirm = async () => {
    setJob({ busy: true });
    try {
      const outcome = await postJson<{ status: string; id?: string }>(
        `/api/tenants/${encodeURIComponent(tenant)}/consumers/${encodeURIComponent(consumer)}/replay`,
        { from: fromIso(), confirmed: true },
      );
      setJob({ id: outcome.id, status: outcome.status });
    } catch (error) {
      setJob({ error: (error as Error).message });
    }
  };

  return html`
    <h1>Replay a consumer of <a href=${`#/t/${encodeURIComponent(tenant)}`}>${tenant}</a></h1>
    <p class="small">The consumer is paused in the running <code>stratus dev</code>, its group is moved back to the first record at or after the time, and it resumes: it processes those records again. Consumers with idempotency skip what they already did.</p>
    <form class="filters" onSubmit=${showPlan}>
      <label>Consumer<select value=${consumer} onChange=${(e: Event) => {
        setConsumer((e.target as HTMLSelectElement).value);
        setPlan({});
      }}>
        ${(data?.consumers ?? []).map((c) => html`<option value=${c.key}>${c.key} (${c.groupId})</option>`)}</select></label>
      <label>Replay records from (local time)<input type="datetime-local" required value=${from}
        onChange=${(e: Event) => {
          setFrom((e.target as HTMLInputElement).value);
          setPlan({});
        }} /></label>
      <button type="submit" disabled=${!consumer || plan.busy}>Show the plan (dry run)</button>
    </form>
    ${plan.error ? html`<p class="notice bad" role="alert">${plan.error}</p>` : null}
    ${
      plan.data
        ? html`<section class="panel" aria-labelledby="plan-h">
      <h2 id="plan-h">Plan for ${plan.data.groupId} on ${plan.data.topic}</h2>
      <div class="table-scroll" tabindex="0" role="region" aria-label="Per-partition plan"><table>
        <thead><tr><th scope="col">Partition</th><th scope="col">Committed now</th><th scope="col">Moves back to</th><th scope="col">Records again</th><th scope="col">Note</th></tr></thead>
        <tbody>${plan.data.partitions.map((p) => html`<tr><th scope="row">${p.partition}</th><td>${p.committed ?? '—'}</td><td>${p.target}</td><td>${count(p.records)}</td><td>${p.skipReason ?? ''}</td></tr>`)}</tbody>
      </table></div>
      <p><strong>${count(plan.data.records)} records</strong> will be processed again.</p>
      ${!access.ok ? html`<p class="notice">${access.why}</p>` : null}
      <button type="button" class="danger" disabled=${!access.ok || job.busy || job.id || plan.data.records === 0} onClick=${confirm}>Confirm replay of ${count(plan.data.records)} records</button>
    </section>`
        : null
    }
    <div aria-live="polite">
      ${job.error ? html`<p class="notice bad">${job.error}</p>` : null}
      ${job.status && job.status !== 'applied' ? html`<p class="notice">Nothing was changed (${job.status}).</p>` : null}
      ${
        job.id
          ? html`<section class="panel" aria-labelledby="progress-h"><h2 id="progress-h">Progress</h2>
        ${
          progress
            ? html`<p>${progress.note}.</p>
            <label>Records processed again: ${count(progress.done)} of ${count(progress.records)}
              <progress max=${progress.records} value=${progress.done}>${count(progress.done)}</progress></label>
            ${progress.finished ? html`<p class="notice good">Replay finished: the consumer is past every replayed record.</p>` : html`<p class="small muted">Read from the group's position (lag samples every few seconds).</p>`}`
            : html`<p class="muted">Started; waiting for the first position…</p>`
        }
      </section>`
          : null
      }
    </div>`;
}
