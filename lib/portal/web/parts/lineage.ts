/**
 * The tenant's lineage graph (lib/catalog's nodes and edges) laid out left to right by dagre and drawn as SVG.
 * Every node is a link: this tenant's topics, consumers and sinks jump to their card below, another tenant's
 * nodes open that tenant's page. Links are in the tab order and have names, so the graph works by keyboard.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { TenantView } from '../../views.ts';
import { html } from '../html.ts';

type Lineage = TenantView['lineage'];

const SHAPE: Record<string, { width: number; height: number }> = {
  topic: { width: 170, height: 34 },
  consumer: { width: 170, height: 34 },
  sink: { width: 170, height: 34 },
  table: { width: 190, height: 34 },
  objects: { width: 190, height: 34 },
};

/** Where a node's link goes: its card on this page, or the owning tenant's page. */
export function nodeTarget(node: Lineage['nodes'][number], tenant: string): string {
  if (node.tenant !== tenant) return `#/t/${encodeURIComponent(node.tenant)}`;
  return `#/t/${encodeURIComponent(tenant)}?focus=${encodeURIComponent(node.id)}`;
}

export function LineageGraph({ lineage, tenant }: { lineage: Lineage; tenant: string }) {
  const graph = new Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 46, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of lineage.nodes) graph.setNode(node.id, { ...SHAPE[node.kind]! });
  for (const edge of lineage.edges) graph.setEdge(edge.from, edge.to);
  layout(graph);
  const { width = 0, height = 0 } = graph.graph();
  const byId = new Map(lineage.nodes.map((node) => [node.id, node]));
  const crossing = new Set(
    lineage.edges.filter((e) => e.kind === 'dead-letters').map((e) => `${e.from}>${e.to}`),
  );
  return html`<figure class="lineage">
    <div class="scroll">
      <svg viewBox=${`0 0 ${width} ${height}`} width=${width} height=${height} role="group" aria-label=${`Lineage of ${tenant}: ${lineage.nodes.length} nodes, ${lineage.edges.length} edges`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#555" />
          </marker>
        </defs>
        ${graph.edges().map((e) => {
          const points: Array<{ x: number; y: number }> = graph.edge(e).points ?? [];
          const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
          return html`<path class=${crossing.has(`${e.v}>${e.w}`) ? 'edge dead' : 'edge'} d=${d} marker-end="url(#arrow)" />`;
        })}
        ${graph.nodes().map((id) => {
          const node = byId.get(id)!;
          const box = graph.node(id);
          const x = box.x - box.width / 2;
          const y = box.y - box.height / 2;
          const other = node.tenant !== tenant;
          const name = `${node.kind} ${node.label}${node.detail ? ` (${node.detail})` : ''}${other ? `, tenant ${node.tenant}` : ''}`;
          return html`<a href=${nodeTarget(node, tenant)} aria-label=${name} class=${`node ${node.kind}${other ? ' other' : ''}${node.detail === 'dlq' ? ' dlq' : ''}`}>
            <rect x=${x} y=${y} width=${box.width} height=${box.height} rx=${node.kind === 'topic' ? 4 : 16} />
            <text x=${box.x} y=${box.y + 4} text-anchor="middle">${truncate(node.label, 24)}</text>
          </a>`;
        })}
      </svg>
    </div>
    <figcaption>Boxes are topics, rounded boxes consumers and sinks, then the tables they fill; dashed lines carry dead letters. Select a node to go to it.</figcaption>
  </figure>`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
