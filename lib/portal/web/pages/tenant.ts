/** One tenant's pipeline on one page: lineage, consumers with their lag over time, topics, sinks, DLQ, owners. */
import { useEffect, useState } from 'preact/hooks';
import type { TenantView } from '../../views.ts';
import { getJson } from '../api.ts';
import { html } from '../html.ts';
import { Badge } from '../parts/badge.ts';
import { count, rate, seconds } from '../parts/format.ts';
import { LagChart } from '../parts/lag-chart.ts';
import { LineageGraph } from '../parts/lineage.ts';
import { useLive } from '../parts/live.ts';
import { useJson } from '../parts/use-json.ts';

type Consumer = TenantView['consumers'][number];
type Sink = TenantView['sinks'][number];
type Topic = TenantView['topics'][number];

/** The id of a lineage node's card (`consumer:payments.enrich-orders` → `node-consumer-payments-enrich-orders`). */
export const cardId = (nodeId: string) => `node-${nodeId.replace(/[^a-zA-Z0-9]+/g, '-')}`;

export function TenantPage({ name, focus }: { name: string; focus?: string }) {
  const live = useLive();
  const { data: tenant, error } = useJson<TenantView>(`/api/tenants/${encodeURIComponent(name)}`, live?.at);
  useEffect(() => {
    if (!focus || !tenant) return;
    const card = document.getElementById(cardId(focus));
    card?.scrollIntoView({ block: 'start' });
    card?.focus();
  }, [focus, tenant !== undefined]);
  if (!tenant)
    return html`<h1>${name}</h1><p class=${error ? 'notice bad' : 'muted'}>${error ?? 'Loading…'}</p>`;
  const base = `#/t/${encodeURIComponent(name)}`;
  return html`
    <h1>${tenant.name}</h1>
    ${tenant.description ? html`<p>${tenant.description}</p>` : null}
    <dl class="facts">
      <div><dt>Owners</dt><dd>${tenant.owners.map((o, i) => html`${i > 0 ? ', ' : ''}<a href=${`mailto:${o}`}>${o}</a>`)}</dd></div>
      <div><dt>Cost center</dt><dd>${tenant.costCenter ?? '—'}</dd></div>
      <div><dt>Manifest</dt><dd><code>${tenant.file}</code></dd></div>
      <div><dt>Dead letters</dt><dd><a href=${`${base}/dlq`}>${count(tenant.dlq.records)} in ${tenant.dlq.topic}</a>${tenant.dlq.growth5m ? ` (+${tenant.dlq.growth5m} in 5 min)` : ''}</dd></div>
    </dl>
    <nav class="actions" aria-label="Tenant actions">
      <a class="button" href=${`${base}/dlq`}>Dead letters</a>
      <a class="button" href=${`${base}/replay`}>Replay</a>
      <a class="button" href=${`#/onboard?tenant=${encodeURIComponent(name)}`}>Add a topic, consumer or sink</a>
    </nav>
    ${
      tenant.problems.length > 0
        ? html`<div class="notice warn"><p>The manifest does not validate:</p><ul>${tenant.problems.map((p) => html`<li><code>${p}</code></li>`)}</ul></div>`
        : null
    }
    <section aria-labelledby="lineage-h"><h2 id="lineage-h">Lineage</h2><${LineageGraph} lineage=${tenant.lineage} tenant=${tenant.name} /></section>
    <section aria-labelledby="consumers-h"><h2 id="consumers-h">Consumers</h2>
      ${tenant.consumers.length === 0 ? html`<p class="muted">None.</p>` : null}
      <div class="cards">${tenant.consumers.map((c) => html`<${ConsumerCard} consumer=${c} />`)}</div></section>
    <section aria-labelledby="sinks-h"><h2 id="sinks-h">Sinks</h2>
      ${tenant.sinks.length === 0 ? html`<p class="muted">None.</p>` : null}
      <div class="cards">${tenant.sinks.map((s) => html`<${SinkCard} tenant=${tenant.name} sink=${s} />`)}</div></section>
    <section aria-labelledby="topics-h"><h2 id="topics-h">Topics</h2>
      <div class="cards">${tenant.topics.map((t) => html`<${TopicCard} topic=${t} />`)}</div></section>`;
}

function Figure({ term, value }: { term: string; value: unknown }) {
  return html`<div><dt>${term}</dt><dd>${value}</dd></div>`;
}

function ConsumerCard({ consumer }: { consumer: Consumer }) {
  const lag = consumer.lag;
  const counters = consumer.counters;
  const heading = `consumer-${consumer.groupId}`;
  return html`<article class="card" id=${cardId(`consumer:${consumer.groupId}`)} tabindex="-1" aria-labelledby=${heading}>
    <h3 id=${heading}>${consumer.key} <span class="muted small">${consumer.output ? 'processor' : 'consumer'}</span></h3>
    <p class="small"><code>${consumer.topic}</code> → ${consumer.output ? html`<code>${consumer.output}</code>` : 'handler'}${consumer.settings.onFailure !== 'drop' ? html`, failures → <code>${consumer.settings.onFailure}</code>` : ''}</p>
    <dl class="figures">
      <${Figure} term="State" value=${lag ? `${lag.state}${lag.members ? ` (${lag.members} member${lag.members === 1 ? '' : 's'})` : ''}` : '—'} />
      <${Figure} term="Records/s" value=${rate(lag?.consumeRate)} />
      <${Figure} term="Offset lag" value=${count(lag?.offsetLag)} />
      <${Figure} term="Time lag" value=${seconds(lag?.timeLagSeconds)} />
      <${Figure} term="Records in" value=${count(counters?.recordsIn)} />
      <${Figure} term="Errors" value=${count(counters?.errors)} />
      <${Figure} term="Dead-lettered" value=${count(counters?.deadLettered)} />
    </dl>
    ${lag?.error ? html`<p class="small muted">${lag.error}</p>` : null}
    <${LagChart} points=${consumer.history} label=${`Lag of ${consumer.groupId}`} />
    ${
      consumer.alarms.length > 0
        ? html`<ul class="alarms">${consumer.alarms.map((a) => html`<li><${Badge} state=${a.state} /> ${a.description}</li>`)}</ul>`
        : null
    }
    <details><summary>Settings</summary>
      <dl class="figures small">${Object.entries(consumer.settings).map(([k, v]) => html`<${Figure} term=${k} value=${String(v ?? '—')} />`)}
        <${Figure} term="handler" value=${html`<code>${consumer.handlerFile}</code>`} /></dl>
    </details>
  </article>`;
}

function SinkCard({ tenant, sink }: { tenant: string; sink: Sink }) {
  const [sample, setSample] = useState<{ loading?: boolean; data?: SinkSample; error?: string }>({});
  const heading = `sink-${tenant}-${sink.key}`;
  const load = () => {
    setSample({ loading: true });
    getJson<SinkSample>(
      `/api/tenants/${encodeURIComponent(tenant)}/sinks/${encodeURIComponent(sink.key)}/sample`,
    )
      .then((data) => setSample({ data }))
      .catch((error: Error) => setSample({ error: error.message }));
  };
  return html`<article class="card" id=${cardId(`sink:${tenant}.${sink.key}`)} tabindex="-1" aria-labelledby=${heading}>
    <h3 id=${heading}>${sink.key} <span class="muted small">${sink.format} sink</span></h3>
    <p class="small"><code>${sink.topic}</code> → <code>${sink.destination}</code></p>
    <dl class="figures">
      <${Figure} term="Rows" value=${count(sink.counters?.rows)} />
      <${Figure} term="Commits" value=${count(sink.counters?.commits)} />
      <${Figure} term="Freshness" value=${seconds(sink.counters?.freshnessSeconds)} />
      <${Figure} term="Buffered" value=${count(sink.counters?.bufferedRows)} />
      <${Figure} term="Offset lag" value=${count(sink.lag?.offsetLag)} />
      <${Figure} term="Buffer" value=${sink.buffer} />
    </dl>
    <button type="button" onClick=${load} disabled=${sample.loading}>${sample.loading ? 'Reading the table…' : 'Show sample rows'}</button>
    ${sample.error ? html`<p class="notice bad">${sample.error}</p>` : null}
    ${sample.data ? html`<${SampleTable} sink=${sink.key} sample=${sample.data} />` : null}
  </article>`;
}

interface SinkSample {
  reader: string;
  rowCount: number;
  rows?: Record<string, unknown>[];
  schema?: Array<{ name: string; type: string; required?: boolean }>;
  unavailable?: string;
}

function SampleTable({ sink, sample }: { sink: string; sample: SinkSample }) {
  if (sample.unavailable)
    return html`<p class="muted small">No table to read yet: ${sample.unavailable.split('\n').at(-1)}</p>`;
  const rows = sample.rows ?? [];
  const columns = sample.schema?.map((c) => c.name) ?? Object.keys(rows[0] ?? {});
  return html`<div class="sample">
    <p class="small">${count(sample.rowCount)} rows in the table; the first ${rows.length}, read by ${sample.reader}:</p>
    ${sample.schema ? html`<p class="small">Schema: ${sample.schema.map((c) => html`<code>${c.name}: ${c.type}${c.required ? '' : '?'}</code> `)}</p>` : null}
    <div class="table-scroll" tabindex="0" role="region" aria-label=${`Sample rows of ${sink}`}><table>
      <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td>${cell(r[c])}</td>`)}</tr>`)}</tbody>
    </table></div>
  </div>`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function TopicCard({ topic }: { topic: Topic }) {
  const heading = `topic-${topic.name}`;
  return html`<article class="card" id=${cardId(`topic:${topic.name}`)} tabindex="-1" aria-labelledby=${heading}>
    <h3 id=${heading}><code>${topic.name}</code>${topic.isDlq ? html` <span class="muted small">dead-letter topic</span>` : null}</h3>
    <dl class="figures">
      <${Figure} term="Partitions" value=${topic.partitions} />
      <${Figure} term="Retention" value=${topic.retention} />
      <${Figure} term="Compatibility" value=${topic.compatibility} />
      <${Figure} term="Shared with" value=${topic.shareWith.length ? topic.shareWith.map((s) => `${s.tenant}${s.allowPii ? ' (PII allowed)' : ''}`).join(', ') : 'nobody'} />
      ${topic.readBy.length ? html`<${Figure} term="Read by" value=${topic.readBy.join(', ')} />` : null}
    </dl>
    ${
      topic.quality.length > 0
        ? html`<h4>Quality rules</h4><ul class="small">${topic.quality.map((q) => html`<li><strong>${q.name}</strong> (${q.severity}${q.alarmPercent !== undefined ? `, alarm above ${q.alarmPercent}%` : ''}): <code>${q.expression}</code></li>`)}</ul>`
        : null
    }
    ${
      topic.schema
        ? html`<details><summary>Schema <code>${topic.schemaFile}</code></summary><pre class="code">${JSON.stringify(topic.schema, null, 2)}</pre></details>`
        : html`<p class="small muted">No schema: values are parsed as JSON and not validated.</p>`
    }
  </article>`;
}
