/**
 * Onboard a tenant, topic, consumer or sink: the form shows, as you type, the manifest change, schema and
 * handler skeleton `stratus new` would write and what `stratus validate` says about the result, each problem
 * next to its field. With write access it writes them (through the same code); otherwise it offers a patch.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { OnboardField, OnboardKind, OnboardPlan } from '../../onboard.ts';
import { getJson, postJson, queryOf, writeAccess } from '../api.ts';
import { html } from '../html.ts';
import { useLive } from '../parts/live.ts';

type Form = Record<string, string | boolean>;

const DEFAULTS: Record<OnboardKind, Form> = {
  tenant: { tenant: '', owner: '', costCenter: '', topic: 'events', consumer: '' },
  topic: { tenant: '', name: '', partitions: '3', retention: '7d', schema: true },
  consumer: { tenant: '', name: '', topic: '', output: '' },
  sink: { tenant: '', name: '', topic: '', format: 'iceberg' },
};

const LABELS: Record<string, string> = {
  tenant: 'Tenant',
  name: 'Name',
  owner: 'Owner e-mail',
  costCenter: 'Cost center',
  topic: 'Topic',
  consumer: 'First consumer',
  partitions: 'Partitions',
  retention: 'Retention',
  schema: 'Create a JSON Schema skeleton',
  output: 'Output topic (makes it a processor)',
  format: 'Format',
};

const HINTS: Record<string, string> = {
  tenant: 'lower-case letters, digits and "-", 2–31 characters',
  name: 'lower-case letters, digits and "-"',
  topic: 'a topic key of the manifest',
  consumer: 'default: handle-<topic>',
  retention: 'e.g. 7d, 12h',
  output: 'optional; created with a schema derived from the input’s when missing',
};

export function OnboardPage({ tenant }: { tenant?: string }) {
  const live = useLive();
  const [kind, setKind] = useState<OnboardKind>(tenant ? 'topic' : 'tenant');
  const [form, setForm] = useState<Form>({ ...DEFAULTS[tenant ? 'topic' : 'tenant'], tenant: tenant ?? '' });
  const [plan, setPlan] = useState<{ data?: OnboardPlan; error?: string; checking?: boolean }>({});
  const [written, setWritten] = useState<{
    files?: Array<{ file: string; created: boolean }>;
    error?: string;
  }>({});
  const [access, setAccess] = useState<{ ok: boolean; why?: string }>({ ok: false });
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => void writeAccess().then(setAccess), []);

  const values = { kind, ...form };
  const query = queryOf(values);
  useEffect(() => {
    setPlan((before) => ({ ...before, checking: true }));
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      getJson<OnboardPlan>(`/api/onboard/preview${query}`)
        .then((data) => setPlan({ data }))
        .catch((error: Error) => setPlan({ error: error.message }));
    }, 250);
    return () => window.clearTimeout(timer.current);
  }, [query]);

  const problems = plan.data?.problems ?? [];
  const fieldProblems = (field: string) => problems.filter((p) => p.field === (field as OnboardField));
  const general = problems.filter((p) => !p.field || !(p.field in form));
  const change = (field: string) => (e: Event) => {
    const input = e.target as HTMLInputElement;
    setForm({ ...form, [field]: input.type === 'checkbox' ? input.checked : input.value });
    setWritten({});
  };
  const chooseKind = (next: OnboardKind) => {
    setKind(next);
    setForm({
      ...DEFAULTS[next],
      tenant: next === 'tenant' ? '' : (form.tenant as string) || (live?.tenants[0]?.name ?? ''),
    });
    setWritten({});
  };
  const write = async () => {
    try {
      const result = await postJson<{ written: Array<{ file: string; created: boolean }> }>(
        '/api/onboard/apply',
        values,
      );
      setWritten({ files: result.written });
    } catch (error) {
      setWritten({ error: (error as Error).message });
    }
  };

  const field = (name: string) => {
    const value = form[name];
    const errors = fieldProblems(name);
    const describedBy = [`hint-${name}`, errors.length ? `error-${name}` : ''].filter(Boolean).join(' ');
    const common = {
      id: `field-${name}`,
      'aria-invalid': errors.length > 0,
      'aria-describedby': describedBy,
      onInput: change(name),
    };
    let control: unknown;
    if (name === 'tenant' && kind !== 'tenant')
      control = html`<select ...${common} onChange=${change(name)} value=${value}>
        <option value="">choose a tenant</option>${(live?.tenants ?? []).map((t) => html`<option value=${t.name}>${t.name}</option>`)}</select>`;
    else if (name === 'format')
      control = html`<select ...${common} onChange=${change(name)} value=${value}>${['iceberg', 'parquet', 'json'].map((f) => html`<option>${f}</option>`)}</select>`;
    else if (name === 'schema')
      control = html`<input type="checkbox" ...${common} onChange=${change(name)} checked=${value === true} />`;
    else
      control = html`<input type=${name === 'owner' ? 'email' : name === 'partitions' ? 'number' : 'text'} ...${common} value=${value as string} autocomplete="off" spellcheck=${false} />`;
    return html`<div class=${`field${errors.length ? ' invalid' : ''}`}>
      <label for=${`field-${name}`}>${kind === 'tenant' && name === 'tenant' ? 'Tenant name' : LABELS[name]}</label>
      ${control}
      <p class="hint" id=${`hint-${name}`}>${HINTS[name] ?? ''}</p>
      ${errors.length ? html`<p class="error" id=${`error-${name}`}>${errors.map((p) => html`<span>${p.message}</span>`)}</p>` : null}
    </div>`;
  };

  return html`
    <h1>Onboard</h1>
    <p>Describe what to add; the files it will write appear below, checked by the same validator as <code>stratus validate</code> as you type.</p>
    <form class="onboard" onSubmit=${(e: Event) => e.preventDefault()} novalidate>
      <fieldset class="kinds"><legend>What to add</legend>
        ${(['tenant', 'topic', 'consumer', 'sink'] as const).map((k) => html`<label class="radio"><input type="radio" name="kind" value=${k} checked=${kind === k} onChange=${() => chooseKind(k)} /> a ${k}</label>`)}
      </fieldset>
      ${Object.keys(DEFAULTS[kind]).map(field)}
    </form>
    <section class="panel" aria-labelledby="result-h">
      <h2 id="result-h">Result</h2>
      <p role="status" class="status">${plan.error ? plan.error : !plan.data ? 'Checking…' : plan.data.ok ? `Valid: ${plan.data.changes.length} file(s) would change.` : `${problems.length} problem(s) to fix.`}</p>
      ${general.length > 0 ? html`<ul class="errors">${general.map((p) => html`<li>${p.where ? html`<code>${p.where}</code> ` : null}${p.message}</li>`)}</ul>` : null}
      ${plan.data?.notes.map((n) => html`<p class="notice">${n}</p>`)}
      ${
        plan.data?.ok
          ? html`<div class="actions">
            <button type="button" class="primary" disabled=${!access.ok} onClick=${write}>Write ${plan.data.changes.length} file(s)</button>
            <a class="button" href=${`/api/onboard/patch${query}`} download>Download as a patch</a>
          </div>
          ${!access.ok ? html`<p class="small muted">${access.why} The patch can be applied in a clone with <code>git apply</code> for a pull request.</p>` : null}`
          : null
      }
      <div aria-live="polite">
        ${written.error ? html`<p class="notice bad">${written.error}</p>` : null}
        ${
          written.files
            ? html`<div class="notice good"><p>Written:</p><ul>${written.files.map((f) => html`<li><code>${f.file}</code> (${f.created ? 'created' : 'edited'})</li>`)}</ul>
              <p class="small">A running <code>stratus dev</code> picks up new topics and consumers by hot reload (new sinks at its next start).${form.tenant ? html` Watch it on <a href=${`#/t/${encodeURIComponent(form.tenant as string)}`}>the tenant’s page</a>.` : null}</p></div>`
            : null
        }
      </div>
      ${plan.data?.changes.map(
        (
          c,
        ) => html`<details open=${c.file.endsWith('.yaml') || c.file.endsWith('.yml')}><summary><code>${c.file}</code> ${c.created ? '(new)' : '(edited)'}</summary>
        <pre class="diff">${c.diff.split('\n').map((line) => html`<span class=${line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : ''}>${line}\n</span>`)}</pre></details>`,
      )}
    </section>`;
}
