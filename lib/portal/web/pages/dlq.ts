/**
 * A tenant's dead letters: filters, one letter decoded, and a redrive of the selection — a dry run first that
 * shows what would happen to each record, then an explicit confirmation (lib/ops, as `stratus dlq redrive`).
 */
import { useEffect, useState } from 'preact/hooks';
import type { DlqReason } from '../../../core/dlq-envelope.ts';
import { recordCoordinate } from '../../../core/record-coordinate.ts';
import { getJson, postJson, queryOf, writeAccess } from '../api.ts';
import { html } from '../html.ts';

interface Row {
  id: string;
  age: string;
  deadLetteredAt: string;
  consumer?: string;
  reason?: string;
  errorClass: string;
  message?: string;
  source?: string;
  attempts?: number;
  redriveCount: number;
  redrivenAt?: string;
}

interface Listing {
  topic: string;
  total: number;
  consumers: string[];
  countsByErrorClass: Array<{ errorClass: string; count: number }>;
  entries: Row[];
}

interface Outcome {
  dryRun: boolean;
  redriven: number;
  skipped: number;
  decisions: Array<{
    id: string;
    action: 'redrive' | 'skip';
    to?: string;
    reason?: string;
    redriveCount?: number;
  }>;
}

const REASONS: Array<DlqReason | ''> = [
  '',
  'DECODE_ERROR',
  'SCHEMA_VIOLATION',
  'DATA_QUALITY',
  'RETRIES_EXHAUSTED',
  'RECORD_EXPIRED',
  'PAYLOAD_TOO_LARGE',
];

export function DlqPage({ tenant }: { tenant: string }) {
  const [filters, setFilters] = useState({
    consumer: '',
    reason: '',
    error: '',
    topic: '',
    since: '',
    status: 'waiting',
  });
  const [listing, setListing] = useState<{ data?: Listing; error?: string }>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | undefined>();
  const [preview, setPreview] = useState<Outcome | undefined>();
  const [result, setResult] = useState<{ text?: string; error?: string }>({});
  const [busy, setBusy] = useState(false);
  const [access, setAccess] = useState<{ ok: boolean; why?: string }>({ ok: false });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    void writeAccess().then(setAccess);
  }, []);
  useEffect(() => {
    const since = filters.since ? new Date(filters.since).toISOString() : '';
    getJson<Listing>(`/api/tenants/${encodeURIComponent(tenant)}/dlq${queryOf({ ...filters, since })}`)
      .then((data) => {
        setListing({ data });
        setSelected(new Set(data.entries.map((e) => e.id)));
        setPreview(undefined);
      })
      .catch((error: Error) => setListing({ error: error.message }));
  }, [tenant, JSON.stringify(filters), generation]);

  const set = (key: keyof typeof filters) => (e: Event) =>
    setFilters({ ...filters, [key]: (e.target as HTMLInputElement).value });
  const entries = listing.data?.entries ?? [];
  const chosen = entries.filter((e) => selected.has(e.id)).map((e) => e.id);
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
    setPreview(undefined);
  };
  const redrive = async (dryRun: boolean) => {
    setBusy(true);
    setResult({});
    try {
      const outcome = await postJson<Outcome>(`/api/tenants/${encodeURIComponent(tenant)}/dlq/redrive`, {
        ids: chosen,
        dryRun,
      });
      if (dryRun) setPreview(outcome);
      else {
        setPreview(undefined);
        setResult({
          text: `Redrove ${outcome.redriven} record${outcome.redriven === 1 ? '' : 's'} to their source topics; ${outcome.skipped} stay${outcome.skipped === 1 ? 's' : ''} in the DLQ.`,
        });
        setGeneration(generation + 1);
      }
    } catch (error) {
      setResult({ error: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return html`
    <h1>Dead letters of <a href=${`#/t/${encodeURIComponent(tenant)}`}>${tenant}</a></h1>
    <form class="filters" aria-label="Filter dead letters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>Consumer<select value=${filters.consumer} onChange=${set('consumer')}>
        <option value="">any</option>${(listing.data?.consumers ?? []).map((c) => html`<option>${c}</option>`)}</select></label>
      <label>Reason<select value=${filters.reason} onChange=${set('reason')}>
        ${REASONS.map((r) => html`<option value=${r}>${r || 'any'}</option>`)}</select></label>
      <label>Error class<input value=${filters.error} onChange=${set('error')} placeholder="e.g. TypeError" /></label>
      <label>Source topic<input value=${filters.topic} onChange=${set('topic')} /></label>
      <label>Since (local time)<input type="datetime-local" value=${filters.since} onChange=${set('since')} /></label>
      <label>Status<select value=${filters.status} onChange=${set('status')}>
        <option value="waiting">not redriven yet</option><option value="redriven">redriven</option><option value="all">all</option></select></label>
    </form>
    ${listing.error ? html`<p class="notice bad">${listing.error}</p>` : null}
    ${
      listing.data
        ? html`<p class="status" role="status">${entries.length} of ${listing.data.total} records in ${listing.data.topic} match; ${chosen.length} selected.
          ${listing.data.countsByErrorClass.length ? ` By error class: ${listing.data.countsByErrorClass.map((c) => `${c.errorClass} ${c.count}`).join(', ')}.` : ''}</p>`
        : html`<p class="muted">Loading…</p>`
    }
    ${
      entries.length > 0
        ? html`<div class="table-scroll"><table class="dlq">
        <caption class="sr-only">Dead letters; select rows to redrive them</caption>
        <thead><tr>
          <th scope="col"><input type="checkbox" aria-label="Select all" checked=${chosen.length === entries.length}
            onChange=${(e: Event) => {
              setSelected(new Set((e.target as HTMLInputElement).checked ? entries.map((x) => x.id) : []));
              setPreview(undefined);
            }} /></th>
          <th scope="col">Record</th><th scope="col">Age</th><th scope="col">Consumer</th><th scope="col">Reason</th>
          <th scope="col">Error</th><th scope="col">Source</th><th scope="col">Attempts</th><th scope="col">Redrives</th>
        </tr></thead>
        <tbody>${entries.map(
          (e) => html`<tr>
          <td><input type="checkbox" aria-label=${`Select ${e.id}`} checked=${selected.has(e.id)} onChange=${() => toggle(e.id)} /></td>
          <th scope="row"><button type="button" class="link" aria-expanded=${open === e.id} onClick=${() => setOpen(open === e.id ? undefined : e.id)}>${e.id}</button></th>
          <td title=${e.deadLetteredAt}>${e.age}</td><td>${e.consumer ?? '—'}</td><td>${e.reason ?? '—'}</td>
          <td><strong>${e.errorClass}</strong> ${e.message ?? ''}</td><td><code>${e.source ?? '—'}</code></td>
          <td>${e.attempts ?? '—'}</td><td>${e.redriveCount}${e.redrivenAt ? ` (redriven ${e.redrivenAt})` : ''}</td>
        </tr>`,
        )}</tbody></table></div>`
        : listing.data
          ? html`<p class="empty">The selection is empty: no dead letter matches these filters.</p>`
          : null
    }
    ${open ? html`<${Letter} tenant=${tenant} id=${open} onClose=${() => setOpen(undefined)} />` : null}
    <section aria-labelledby="redrive-h" class="panel">
      <h2 id="redrive-h">Redrive</h2>
      <p class="small">Sends the selected records back to their source topic with their key, value and headers plus a redrive count; records at the limit (3) stay.</p>
      ${!access.ok ? html`<p class="notice">${access.why}</p>` : null}
      <button type="button" disabled=${!access.ok || busy || chosen.length === 0} onClick=${() => redrive(true)}>Preview redrive of ${chosen.length} selected (dry run)</button>
      ${
        preview
          ? html`<div class="preview" aria-live="polite">
            <p>Dry run: would redrive ${preview.redriven}; ${preview.skipped} would stay. Nothing was changed.</p>
            <ul class="small">${preview.decisions.map((d) => html`<li><code>${d.id}</code> ${d.action === 'redrive' ? `→ ${d.to} (redrive count ${d.redriveCount})` : `stays: ${d.reason}`}</li>`)}</ul>
            <button type="button" class="danger" disabled=${busy || preview.redriven === 0} onClick=${() => redrive(false)}>Confirm redrive of ${preview.redriven} record${preview.redriven === 1 ? '' : 's'}</button>
          </div>`
          : null
      }
      <div aria-live="polite">${result.text ? html`<p class="notice good">${result.text}</p>` : null}${result.error ? html`<p class="notice bad">${result.error}</p>` : null}</div>
    </section>`;
}

interface Shown {
  id: string;
  deadLetteredAt: string;
  status: string;
  envelope?: {
    consumer: string;
    reason: string;
    attempts: number;
    error: { class: string; message: string };
    source: { topic: string; partition: number; offset: string };
    record: { key: unknown; value: unknown; headers?: Record<string, string> };
  };
  problem?: string;
  why?: {
    kind: string;
    note?: string;
    searched?: string;
    error?: { class: string; message: string; stack: string[] };
  };
}

function Letter({ tenant, id, onClose }: { tenant: string; id: string; onClose: () => void }) {
  const [state, setState] = useState<{ data?: Shown; error?: string }>({});
  useEffect(() => {
    setState({});
    getJson<Shown>(`/api/tenants/${encodeURIComponent(tenant)}/dlq/${id}`)
      .then((data) => setState({ data }))
      .catch((error: Error) => setState({ error: error.message }));
  }, [tenant, id]);
  const letter = state.data;
  return html`<section class="panel letter" aria-labelledby="letter-h">
    <h2 id="letter-h">Dead letter ${id}</h2>
    <button type="button" class="close" onClick=${onClose}>Close</button>
    ${state.error ? html`<p class="notice bad">${state.error}</p>` : null}
    ${!letter ? html`<p class="muted">Loading…</p>` : null}
    ${
      letter?.envelope
        ? html`<dl class="figures">
          <div><dt>Consumer</dt><dd>${letter.envelope.consumer}</dd></div>
          <div><dt>Reason</dt><dd>${letter.envelope.reason}</dd></div>
          <div><dt>Error</dt><dd>${letter.envelope.error.class}: ${letter.envelope.error.message}</dd></div>
          <div><dt>Source</dt><dd><code>${recordCoordinate(letter.envelope.source.topic, letter.envelope.source.partition, letter.envelope.source.offset)}</code></dd></div>
          <div><dt>Attempts</dt><dd>${letter.envelope.attempts}</dd></div>
          <div><dt>Dead-lettered</dt><dd>${letter.deadLetteredAt}</dd></div>
        </dl>
        <h3>Key</h3><pre class="code">${JSON.stringify(letter.envelope.record.key, null, 2)}</pre>
        <h3>Value (decoded)</h3><pre class="code value">${JSON.stringify(letter.envelope.record.value, null, 2)}</pre>
        ${
          letter.why?.error
            ? html`<h3>Handler's last error</h3><pre class="code">${[`${letter.why.error.class}: ${letter.why.error.message}`, ...letter.why.error.stack.slice(1, 6)].join('\n')}</pre>`
            : letter.why?.note
              ? html`<p class="small">${letter.why.note}</p>`
              : null
        }`
        : null
    }
    ${letter?.problem ? html`<p class="notice warn">Not a DLQ envelope: ${letter.problem}</p>` : null}
  </section>`;
}
