import { describe, expect, it } from 'vitest';
import { buildLineageGraph } from '../../../lib/catalog/graph.ts';
import { renderDot, renderJson, renderMermaid } from '../../../lib/catalog/render-diagram.ts';
import { renderText } from '../../../lib/catalog/render-text.ts';
import { loadCatalogProject } from './tenants.ts';

const edgesOf = (graph: ReturnType<typeof buildLineageGraph>) =>
  graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();

describe('lineage graph from the manifests', () => {
  it('follows a chain of processors, a fan-out to two sinks and a reader-only consumer', () => {
    const { spec } = loadCatalogProject();
    const graph = buildLineageGraph(spec);
    expect(edgesOf(graph)).toEqual(
      [
        'topic:chain.raw -reads-> consumer:chain.cleaner',
        'consumer:chain.cleaner -writes-> topic:chain.clean',
        'consumer:chain.cleaner -dead-letters-> topic:chain.dlq',
        'topic:chain.clean -reads-> consumer:chain.scorer',
        'consumer:chain.scorer -writes-> topic:chain.scored',
        'topic:chain.scored -reads-> consumer:chain.auditor',
        'consumer:chain.auditor -dead-letters-> topic:chain.dlq',
        'topic:chain.scored -reads-> sink:chain.scored-lake',
        'sink:chain.scored-lake -delivers-> table:stratus_chain.scored_lake',
        'topic:chain.scored -reads-> sink:chain.scored-json',
        'sink:chain.scored-json -delivers-> objects:s3://stratus-lakehouse/exports/scored/',
      ].sort(),
    );
    // onFailure: none means no dead-letter edge for the scorer.
    expect(graph.edges.some((e) => e.from === 'consumer:chain.scorer' && e.kind === 'dead-letters')).toBe(
      false,
    );
    expect(graph.edges.every((e) => !e.crossTenant)).toBe(true);
    const table = graph.nodes.find((n) => n.kind === 'table');
    expect(table).toMatchObject({ location: 's3://stratus-lakehouse/chain/iceberg/scored_lake' });
  });

  it('keeps a tenant with topics but no consumers, and --tenant narrows to one tenant', () => {
    const { spec } = loadCatalogProject();
    expect(renderText(buildLineageGraph(spec))).toContain('quiet.inbox (no reader)');
    const quiet = buildLineageGraph(spec, { tenant: 'quiet' });
    expect(quiet.nodes.map((n) => n.id).sort()).toEqual(['topic:quiet.dlq', 'topic:quiet.inbox']);
    expect(quiet.tenants.map((t) => t.name)).toEqual(['quiet']);
  });

  it('renders text, Mermaid, DOT and JSON from the same graph', () => {
    const graph = buildLineageGraph(loadCatalogProject().spec);
    const text = renderText(graph);
    expect(text).toContain('chain (owners chain-team@example.com; cost centre cc-9)');
    expect(text).toContain('chain.clean ──reads──▶ chain/scorer (processor)');
    expect(text).toContain(
      'chain/scored-lake (iceberg sink) ──delivers──▶ table stratus_chain.scored_lake (iceberg)',
    );

    const mermaid = renderMermaid(graph);
    expect(mermaid.split('\n')[0]).toBe('flowchart LR');
    expect(mermaid).toContain('subgraph chain_tenant["chain"]');
    // Every edge names two declared node ids.
    const declared = new Set([...mermaid.matchAll(/^\s+(n\d+)[[(]/gm)].map((m) => m[1]));
    const used = [...mermaid.matchAll(/^\s+(n\d+) .+ (n\d+)$/gm)].flatMap((m) => [m[1], m[2]]);
    expect(used.length).toBe(graph.edges.length * 2);
    for (const id of used) expect(declared).toContain(id);

    const dot = renderDot(graph);
    expect(dot).toMatch(/^digraph lineage \{/);
    expect(dot.match(/ -> /g)).toHaveLength(graph.edges.length);
    expect(dot).toContain('label="dead letters", style=dashed');

    const json = JSON.parse(renderJson(graph));
    expect(json.tenants).toEqual(['chain', 'quiet']);
    expect(json.edges).toHaveLength(graph.edges.length);
    expect(json.nodes.find((n: { id: string }) => n.id === 'consumer:chain.scorer')).toMatchObject({
      role: 'processor',
      groupId: 'chain.scorer',
      handler: 'functions/enrich.ts',
    });
  });
});

describe('cross-tenant lineage', () => {
  const READER = `tenant: reader
owners: [reader@example.com]
topics:
  copies: {}
consumers:
  copy: { topic: chain/scored, handler: functions/enrich.ts, output: copies }
`;
  const share = (text: string) =>
    text.replace(
      'scored: { schema: schemas/customer.schema.json }',
      'scored: { schema: schemas/customer.schema.json, shareWith: [{ tenant: reader, allowPii: true }] }',
    );

  it('marks the edge from a shared topic to another tenant, and --tenant keeps both ends', async () => {
    const { CHAIN_TENANT } = await import('./tenants.ts');
    const { spec } = loadCatalogProject({ 'chain.yaml': share(CHAIN_TENANT), 'reader.yaml': READER });
    const graph = buildLineageGraph(spec);
    const cross = graph.edges.filter((e) => e.crossTenant);
    expect(cross).toEqual([
      { from: 'topic:chain.scored', to: 'consumer:reader.copy', kind: 'reads', crossTenant: true },
    ]);
    expect(renderText(graph)).toContain(
      'chain.scored ──reads──▶ reader/copy (processor)   [shared by chain]',
    );
    expect(renderMermaid(graph)).toMatch(/n\d+ ==>\|shared\| n\d+/);
    const reader = buildLineageGraph(spec, { tenant: 'reader' });
    expect(reader.nodes.map((n) => n.id).sort()).toEqual(
      ['consumer:reader.copy', 'topic:chain.scored', 'topic:reader.copies', 'topic:reader.dlq'].sort(),
    );
    const owner = buildLineageGraph(spec, { tenant: 'chain' });
    expect(owner.nodes.some((n) => n.id === 'consumer:reader.copy')).toBe(true);
  });
});
