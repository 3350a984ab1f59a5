import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { asyncApiDocument } from '../../../lib/catalog/asyncapi.ts';
import { checkAsyncApi } from '../../../lib/catalog/asyncapi-check.ts';
import { backstageEntities, checkBackstage, entityName } from '../../../lib/catalog/backstage.ts';
import { buildLineageGraph } from '../../../lib/catalog/graph.ts';
import { runCli } from '../../support/cli.ts';
import { loadCatalogProject } from './tenants.ts';

describe('AsyncAPI documents', () => {
  const { spec } = loadCatalogProject();
  const graph = buildLineageGraph(spec);
  const chain = spec.tenants.find((t) => t.name === 'chain')!;

  it('parse with the official AsyncAPI parser without errors or warnings, for every tenant', async () => {
    for (const tenant of spec.tenants) {
      const problems = await checkAsyncApi(asyncApiDocument(graph, tenant, spec.platform));
      expect(problems.filter((p) => p.severity === 'error' || p.severity === 'warning')).toEqual([]);
    }
    // The oracle can fail: an operation on a channel that does not exist is an error.
    const broken = asyncApiDocument(graph, chain, spec.platform);
    (broken.operations as Record<string, { channel: unknown }>)['cleaner.receive']!.channel = {
      $ref: '#/channels/nope',
    };
    expect((await checkAsyncApi(broken)).some((p) => p.severity === 'error')).toBe(true);
  });

  it('describe channels, messages and operations as the parser reads them back', async () => {
    const { document } = await new Parser().parse(
      JSON.stringify(asyncApiDocument(graph, chain, spec.platform)),
    );
    expect(document).toBeDefined();
    const doc = document!;
    expect(doc.info().title()).toBe('chain');
    expect(doc.info().contact()?.email()).toBe('chain-team@example.com');
    expect(
      doc
        .info()
        .tags()
        .all()
        .map((t) => t.name()),
    ).toEqual(['tenant:chain', 'cost-center:cc-9']);
    expect(
      doc
        .channels()
        .all()
        .map((c) => c.address())
        .sort(),
    ).toEqual(['chain.clean', 'chain.raw', 'chain.scored']);
    const scored = doc.channels().get('scored')!;
    expect(scored.bindings().get('kafka')?.value()).toMatchObject({ topic: 'chain.scored', partitions: 3 });
    const payload = scored.messages().all()[0]!.payload()!;
    expect(Object.keys(payload.properties() ?? {})).toEqual([
      'id',
      'email',
      'address',
      'scores',
      'createdAt',
    ]);
    expect(payload.properties()!.email!.extensions().get('x-pii')?.value()).toBe(true);
    // Processor outputs carry the lineage headers.
    expect(Object.keys(scored.messages().all()[0]!.headers()?.properties() ?? {})).toContain(
      'stratus-source-offset',
    );
    const operations = Object.fromEntries(
      doc
        .operations()
        .all()
        .map((o) => [o.id(), `${o.action()} ${o.channels().all()[0]!.address()}`]),
    );
    expect(operations).toEqual({
      'cleaner.receive': 'receive chain.raw',
      'cleaner.send': 'send chain.clean',
      'scorer.receive': 'receive chain.clean',
      'scorer.send': 'send chain.scored',
      'auditor.receive': 'receive chain.scored',
      'scored-lake.receive': 'receive chain.scored',
      'scored-json.receive': 'receive chain.scored',
    });
    expect(doc.operations().get('scorer.receive')!.bindings().get('kafka')?.value()).toMatchObject({
      groupId: { type: 'string', enum: ['chain.scorer'] },
    });
  });

  it('change version exactly when the described contract changes', () => {
    const first = asyncApiDocument(graph, chain, spec.platform);
    expect(asyncApiDocument(graph, chain, spec.platform)).toEqual(first);
    const other = loadCatalogProject({
      'chain.yaml': readFileSync(
        path.join(loadCatalogProject().rootDir, 'tenants/chain.yaml'),
        'utf8',
      ).replace('raw: {', 'raw: { partitions: 5,'),
    }).spec;
    const changed = asyncApiDocument(buildLineageGraph(other), other.tenants[0]!, other.platform);
    expect((changed.info as { version: string }).version).not.toBe(
      (first.info as { version: string }).version,
    );
  });
});

describe('Backstage entities', () => {
  const { spec } = loadCatalogProject();
  const entities = backstageEntities(buildLineageGraph(spec), spec.platform);
  const find = (kind: string, name: string) =>
    entities.find((e) => e.kind === kind && e.metadata.name === name)!;

  it("pass Backstage's own entity validators (envelope, kind JSON Schemas, field formats)", async () => {
    expect(await checkBackstage(entities)).toEqual([]);
    const broken = structuredClone(find('Component', 'chain.scorer'));
    delete broken.spec.lifecycle;
    broken.metadata.tags = ['Not A Tag'];
    expect((await checkBackstage([broken])).join()).toMatch(/lifecycle|tags/);
  });

  it('model a system per tenant, an asyncapi API, components and resources with relations from the lineage', () => {
    expect(find('System', 'chain').spec).toEqual({ owner: 'group:default/chain' });
    expect(find('System', 'chain').metadata.labels).toEqual({ 'stratus.dev/cost-center': 'cc-9' });
    const api = find('API', 'chain-events');
    expect(api.spec).toMatchObject({ type: 'asyncapi', system: 'chain', owner: 'group:default/chain' });
    expect(String(api.spec.definition)).toContain('asyncapi: 3.0.0');
    expect(find('Component', 'chain.scorer').spec).toMatchObject({
      type: 'stream-processor',
      providesApis: ['api:default/chain-events'],
      dependsOn: ['resource:default/chain.clean', 'resource:default/chain.scored'],
    });
    expect(find('Component', 'chain.auditor').spec.providesApis).toBeUndefined();
    expect(find('Component', 'chain.scored-lake').spec.dependsOn).toEqual([
      'resource:default/chain.scored',
      'resource:default/stratus_chain.scored_lake',
    ]);
    expect(find('Resource', 'chain.scored').metadata.tags).toEqual(['kafka', 'pii']);
    expect(find('Resource', 'chain.exports.scored.objects').spec.type).toBe('s3-prefix');
    expect(find('Resource', 'quiet.inbox').spec).toMatchObject({ type: 'kafka-topic', system: 'quiet' });
  });

  it('shorten names over 63 characters to a stable, valid name', () => {
    const long = `${'t'.repeat(31)}.${'k'.repeat(48)}`;
    expect(entityName(long)).toHaveLength(63);
    expect(entityName(long)).toBe(entityName(long));
    expect(entityName(long)).not.toBe(entityName(`${long.slice(0, -1)}x`));
  });
});

describe('stratus catalog', () => {
  it('prints AsyncAPI documents or writes one file per tenant with --out', async () => {
    const { rootDir } = loadCatalogProject();
    const printed = await runCli(['catalog', '--format', 'asyncapi'], rootDir);
    expect(printed.code).toBe(0);
    expect(parseAllDocuments(printed.stdout).map((d) => d.toJS().info.title)).toEqual(['chain', 'quiet']);
    const out = mkdtempSync(path.join(os.tmpdir(), 'stratus-catalog-'));
    const written = await runCli(
      ['catalog', '--format', 'asyncapi', '--tenant', 'quiet', '--out', out],
      rootDir,
    );
    expect(written.code).toBe(0);
    expect(readFileSync(path.join(out, 'quiet.asyncapi.yaml'), 'utf8')).toContain('address: quiet.inbox');
  });

  it('prints Backstage entities as catalog-info.yaml documents', async () => {
    const { rootDir } = loadCatalogProject();
    const { code, stdout } = await runCli(['catalog', '--format', 'backstage', '--tenant', 'chain'], rootDir);
    expect(code).toBe(0);
    const kinds = parseAllDocuments(stdout).map((d) => d.toJS().kind);
    expect(new Set(kinds)).toEqual(new Set(['Group', 'System', 'API', 'Component', 'Resource']));
  });

  it('needs --format, and names an unknown tenant', async () => {
    const { rootDir } = loadCatalogProject();
    expect((await runCli(['catalog'], rootDir)).code).toBe(2);
    const unknown = await runCli(['catalog', '--format', 'backstage', '--tenant', 'chian'], rootDir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown tenant "chian"; did you mean "chain"?');
  });
});

describe('the catalog across tenants', () => {
  it("a reader's AsyncAPI document has the shared channel; its component consumes the owner's API", async () => {
    const { CHAIN_TENANT } = await import('./tenants.ts');
    const { spec } = loadCatalogProject({
      'chain.yaml': CHAIN_TENANT.replace(
        'scored: { schema: schemas/customer.schema.json }',
        'scored: { schema: schemas/customer.schema.json, shareWith: [{ tenant: reader, allowPii: true }] }',
      ),
      'reader.yaml':
        'tenant: reader\nowners: [r@example.com]\ntopics:\n  copies: {}\nconsumers:\n  copy: { topic: chain/scored, handler: functions/enrich.ts, output: copies }\n',
    });
    const graph = buildLineageGraph(spec);
    const reader = spec.tenants.find((t) => t.name === 'reader')!;
    const document = asyncApiDocument(graph, reader, spec.platform);
    expect(
      (await checkAsyncApi(document)).filter((p) => p.severity === 'error' || p.severity === 'warning'),
    ).toEqual([]);
    expect(
      (document.channels as Record<string, { address: string; description: string }>)['chain.scored'],
    ).toMatchObject({
      address: 'chain.scored',
      description: 'Owned by chain, shared with reader (read only)',
    });
    const entities = backstageEntities(graph, spec.platform);
    expect(await checkBackstage(entities)).toEqual([]);
    const copy = entities.find((e) => e.kind === 'Component' && e.metadata.name === 'reader.copy')!;
    expect(copy.spec).toMatchObject({
      consumesApis: ['api:default/chain-events'],
      providesApis: ['api:default/reader-events'],
    });
    expect(copy.spec.dependsOn).toContain('resource:default/chain.scored');
  });
});
