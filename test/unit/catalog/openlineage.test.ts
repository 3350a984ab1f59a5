import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLineageGraph } from '../../../lib/catalog/graph.ts';
import {
  defaultNamespaces,
  type OpenLineageEvent,
  openLineageEvents,
} from '../../../lib/catalog/openlineage.ts';
import { runCli } from '../../support/cli.ts';
import { loadCatalogProject } from './tenants.ts';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const SPEC_DIR = path.resolve(import.meta.dirname, '../../fixtures/openlineage');

/** The OpenLineage spec's own JSON Schemas (test/fixtures/openlineage), core and facets, in one Ajv. */
function specValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  /** `$id` → the facet keys its root schema describes (`SchemaDatasetFacet.json` → schema). */
  const facetKeys = new Map<string, string[]>();
  for (const file of readdirSync(SPEC_DIR).filter((f) => f.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(path.join(SPEC_DIR, file), 'utf8'));
    ajv.addSchema(schema);
    facetKeys.set(schema.$id, Object.keys(schema.properties ?? {}));
  }
  const core = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
  const problems = (schemaRef: string, value: unknown): string[] => {
    const validate = ajv.getSchema(schemaRef)!;
    return validate(value)
      ? []
      : (validate.errors ?? []).map((e) => `${schemaRef} ${e.instancePath} ${e.message}`);
  };
  /** Checks the event against its event type and every facet against the facet's own schema. */
  return (event: OpenLineageEvent): string[] => {
    const kind = String(event.schemaURL).split('#/$defs/')[1]!;
    const out = problems(`${core}#/$defs/${kind}`, event);
    const facetMaps: Array<Record<string, Record<string, unknown>>> = [];
    const job = event.job as { facets?: Record<string, Record<string, unknown>> } | undefined;
    const dataset = event.dataset as { facets?: Record<string, Record<string, unknown>> } | undefined;
    if (job?.facets) facetMaps.push(job.facets);
    if (dataset?.facets) facetMaps.push(dataset.facets);
    for (const facets of facetMaps)
      for (const [key, facet] of Object.entries(facets)) {
        // The facet's own _schemaURL names its schema; it must be a spec schema that describes this key, on
        // the right side (a job facet on a job, a dataset facet on a dataset).
        const id = String(facet._schemaURL).split('#')[0]!;
        const side = facets === job?.facets ? 'JobFacet' : 'DatasetFacet';
        if (!facetKeys.get(id)?.includes(key) || !id.endsWith(`${side}.json`))
          out.push(`facet "${key}" names no matching ${side} schema: ${id}`);
        else out.push(...problems(id, { [key]: facet }));
      }
    return out;
  };
}

describe('OpenLineage events', () => {
  const { spec } = loadCatalogProject();
  const namespaces = defaultNamespaces(spec.platform, 'b-1.stratus.kafka.eu-west-1.amazonaws.com:9098');
  const events = openLineageEvents(buildLineageGraph(spec), {
    namespaces,
    eventTime: '2026-11-30T12:00:00.000Z',
  });

  it('are valid against the OpenLineage JSON Schema, core and facets', () => {
    const check = specValidator();
    for (const event of events) expect(check(event), JSON.stringify(event)).toEqual([]);
    expect(events.length).toBeGreaterThan(10);
    // The oracle can fail: an event without its producer, or a facet of the wrong shape, is refused.
    const { producer: _producer, ...anonymous } = events[0]!;
    expect(check(anonymous).join()).toContain("must have required property 'producer'");
    const job = events.find((e) => e.job)!;
    const broken = structuredClone(job) as { job: { facets: { jobType: Record<string, unknown> } } };
    delete broken.job.facets.jobType.processingType;
    expect(check(broken as OpenLineageEvent).join()).toContain('processingType');
  });

  it('name datasets by the spec conventions: kafka://host:port, Glue ARN + table/db/table, s3://bucket', () => {
    const datasets = events
      .filter((e) => e.dataset)
      .map((e) => e.dataset as { namespace: string; name: string });
    expect(datasets).toContainEqual(
      expect.objectContaining({
        namespace: 'kafka://b-1.stratus.kafka.eu-west-1.amazonaws.com:9098',
        name: 'chain.raw',
      }),
    );
    expect(datasets).toContainEqual(
      expect.objectContaining({
        namespace: 'arn:aws:glue:eu-west-1:000000000000',
        name: 'table/stratus_chain/scored_lake',
      }),
    );
    expect(datasets).toContainEqual(
      expect.objectContaining({ namespace: 's3://stratus-lakehouse', name: 'exports/scored' }),
    );
  });

  it('describe each consumer and sink as a streaming job with its inputs and outputs', () => {
    const jobs = new Map(
      events
        .filter((e) => e.job)
        .map((e) => [(e.job as { name: string }).name, e as Record<string, unknown>]),
    );
    expect([...jobs.keys()].sort()).toEqual(
      [
        'chain.auditor',
        'chain.cleaner',
        'chain.scorer',
        'chain.sink.scored-json',
        'chain.sink.scored-lake',
      ].sort(),
    );
    const scorer = jobs.get('chain.scorer')!;
    expect(scorer.job).toMatchObject({
      namespace: 'stratus://stratus/chain',
      facets: { jobType: { processingType: 'STREAMING', integration: 'STRATUS', jobType: 'PROCESSOR' } },
    });
    expect(scorer.inputs).toEqual([{ namespace: namespaces.kafka, name: 'chain.clean' }]);
    expect(scorer.outputs).toEqual([{ namespace: namespaces.kafka, name: 'chain.scored' }]);
    expect(jobs.get('chain.cleaner')!.outputs).toEqual([
      { namespace: namespaces.kafka, name: 'chain.clean' },
      { namespace: namespaces.kafka, name: 'chain.dlq' },
    ]);
    expect(jobs.get('chain.sink.scored-lake')!.outputs).toEqual([
      { namespace: namespaces.glue, name: 'table/stratus_chain/scored_lake' },
    ]);
  });

  it('carry the JSON Schema as a schema facet and tag the x-pii fields', () => {
    const scored = events.find((e) => (e.dataset as { name: string } | undefined)?.name === 'chain.scored')!;
    const facets = (scored.dataset as { facets: Record<string, Record<string, unknown>> }).facets;
    expect(facets.schema!.fields).toContainEqual({
      name: 'address',
      type: 'object',
      fields: [
        { name: 'street', type: 'string' },
        { name: 'country', type: 'string' },
      ],
    });
    expect(facets.schema!.fields).toContainEqual({
      name: 'email',
      type: 'string(email)',
      description: 'contact address',
    });
    expect(facets.tags!.tags).toEqual(
      expect.arrayContaining([
        { key: 'pii', value: 'true', source: 'STRATUS', field: 'email' },
        { key: 'pii', value: 'true', source: 'STRATUS', field: 'address.street' },
        { key: 'stratus:cost-center', value: 'cc-9', source: 'STRATUS' },
      ]),
    );
  });
});

describe('stratus lineage --format openlineage --post', () => {
  const received: Array<{ type: string | undefined; body: unknown }> = [];
  let url = '';
  let refuse = false;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ type: request.headers['content-type'], body: JSON.parse(body) });
      response.writeHead(refuse ? 422 : 201).end(refuse ? 'bad event' : '');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts every event as one JSON request each, and fails naming the status when refused', async () => {
    const { rootDir } = loadCatalogProject();
    const printed = await runCli(['lineage', '--format', 'openlineage'], rootDir);
    const lines = printed.stdout.trim().split('\n');
    const posted = await runCli(['lineage', '--format', 'openlineage', '--post', url], rootDir);
    expect(posted).toMatchObject({
      code: 0,
      stdout: `posted ${lines.length} OpenLineage events to ${url}\n`,
    });
    expect(received).toHaveLength(lines.length);
    expect(received.every((r) => r.type === 'application/json')).toBe(true);
    expect(received.map((r) => (r.body as { schemaURL: string }).schemaURL)).toEqual(
      lines.map((line) => JSON.parse(line).schemaURL),
    );
    refuse = true;
    const refused = await runCli(['lineage', '--format', 'openlineage', '--post', url], rootDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused event 1 of');
    expect(refused.stderr).toContain('HTTP 422: bad event');
  });

  it('refuses --post without --format openlineage as a usage error', async () => {
    const { rootDir } = loadCatalogProject();
    const { code, stderr } = await runCli(['lineage', '--post', url], rootDir);
    expect(code).toBe(2);
    expect(stderr).toContain('add --format openlineage');
  });
});
