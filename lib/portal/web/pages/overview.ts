/** Every tenant at a glance, live: health, alarms, worst time lag, DLQ growth, sink freshness; filterable. */
import { useState } from 'preact/hooks';
import type { OverviewRow } from '../../views.ts';
import { html } from '../html.ts';
import { Badge } from '../parts/badge.ts';
import { clock, count, seconds } from '../parts/format.ts';
import { useLive } from '../parts/live.ts';

const HEALTH = ['all', 'alarm', 'warning', 'ok', 'idle'];

export function OverviewPage() {
  const live = useLive();
  const [text, setText] = useState('');
  const [health, setHealth] = useState('all');
  if (!live) return html`<h1>Tenants</h1><p class="muted">Loading…</p>`;
  const needle = text.trim().toLowerCase();
  const rows = live.tenants.filter(
    (row) =>
      (health === 'all' || row.health === health) &&
      (!needle ||
        row.name.includes(needle) ||
        row.owners.some((o) => o.toLowerCase().includes(needle)) ||
        (row.costCenter ?? '').toLowerCase().includes(needle)),
  );
  const firing = live.tenants.filter((row) => row.health === 'alarm').length;
  return html`
    <h1>Tenants</h1>
    <p class="status" role="status">
      ${[
        `${live.tenants.length} tenants${firing > 0 ? `, ${firing} with an alarm` : ''}`,
        live.runtime.reachable ? 'live from stratus dev' : 'no stratus dev answers: lag read from Kafka',
        `updated ${clock(live.at)}`,
      ].join(' · ')}
    </p>
    ${live.error ? html`<p class="notice bad">${live.error}</p>` : null}
    ${
      live.problems.length > 0
        ? html`<details class="notice warn"><summary>${live.problems.length} problem(s) in the manifests (stratus validate)</summary>
          <ul>${live.problems.map((p) => html`<li><code>${p}</code></li>`)}</ul></details>`
        : null
    }
    <form class="filters" role="search" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>Filter by name, owner or cost center
        <input type="search" value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} /></label>
      <label>Health
        <select value=${health} onChange=${(e: Event) => setHealth((e.target as HTMLSelectElement).value)}>
          ${HEALTH.map((h) => html`<option value=${h}>${h}</option>`)}
        </select></label>
    </form>
    <div class="table-scroll">
      <table class="overview">
        <caption class="sr-only">Tenants and the health of their pipelines</caption>
        <thead><tr>
          <th scope="col">Tenant</th><th scope="col">Health</th><th scope="col">Alarms</th>
          <th scope="col">Worst time lag</th><th scope="col">Offset lag</th><th scope="col">DLQ (5 min)</th>
          <th scope="col">Sink freshness</th><th scope="col">Pipelines</th><th scope="col">Owners</th>
        </tr></thead>
        <tbody>${rows.map((row) => html`<${Row} row=${row} />`)}</tbody>
      </table>
    </div>
    ${rows.length === 0 ? html`<p class="muted">No tenant matches.</p>` : null}`;
}

function Row({ row }: { row: OverviewRow }) {
  const alarms = row.alarms.OK + row.alarms.ALARM + row.alarms.INSUFFICIENT_DATA;
  return html`<tr>
    <th scope="row"><a href=${`#/t/${encodeURIComponent(row.name)}`}>${row.name}</a>
      ${row.description ? html`<div class="muted small">${row.description}</div>` : null}</th>
    <td><${Badge} state=${row.health} /></td>
    <td title=${row.firing.join('\n')}>${alarms === 0 ? '—' : `${row.alarms.ALARM} of ${alarms} firing`}</td>
    <td>${seconds(row.worstTimeLagSeconds)}</td>
    <td>${count(row.offsetLag)}</td>
    <td>${count(row.dlqRecords)}${row.dlqGrowth5m ? html` <span class="badge warn">+${row.dlqGrowth5m}</span>` : null}</td>
    <td>${seconds(row.sinkFreshnessSeconds)}</td>
    <td>${plural(row.topics, 'topic')} · ${plural(row.consumers, 'consumer')} · ${plural(row.sinks, 'sink')}</td>
    <td>${row.owners.join(', ')}${row.costCenter ? html`<div class="muted small">${row.costCenter}</div>` : null}</td>
  </tr>`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
