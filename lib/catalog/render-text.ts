/** `stratus lineage --format text`: one block per tenant, one line per edge, cross-tenant edges marked. */
import { type LineageEdge, type LineageGraph, type LineageNode, topicOwner } from './graph.ts';

export function describeNode(node: LineageNode): string {
  switch (node.kind) {
    case 'topic':
      return node.isDlq ? `${node.name} (DLQ)` : node.name;
    case 'consumer':
      return `${node.tenant}/${node.label} (${node.role})`;
    case 'sink':
      return `${node.tenant}/${node.label} (${node.spec.format} sink)`;
    case 'table':
      return `table ${node.database}.${node.table} (iceberg)`;
    case 'objects':
      return `${node.label} (${node.format})`;
  }
}

const ARROWS: Record<LineageEdge['kind'], string> = {
  reads: '──reads──▶',
  writes: '──writes──▶',
  'dead-letters': '──dead-letters──▶',
  delivers: '──delivers──▶',
};

/** The tenant an edge belongs to: the tenant of its job (the consumer or sink at one of its ends). */
export function edgeTenant(graph: LineageGraph, edge: LineageEdge): string {
  const from = graph.nodes.find((n) => n.id === edge.from)!;
  const to = graph.nodes.find((n) => n.id === edge.to)!;
  return from.kind === 'consumer' || from.kind === 'sink' ? from.tenant : to.tenant;
}

export function renderText(graph: LineageGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  for (const tenant of graph.tenants) {
    const who = [
      tenant.owners.length > 0 ? `owners ${tenant.owners.join(', ')}` : undefined,
      tenant.costCenter ? `cost centre ${tenant.costCenter}` : undefined,
    ].filter(Boolean);
    lines.push(`${tenant.name}${who.length > 0 ? ` (${who.join('; ')})` : ''}`);
    const edges = graph.edges.filter((e) => edgeTenant(graph, e) === tenant.name);
    const used = new Set(edges.flatMap((e) => [e.from, e.to]));
    for (const edge of edges) {
      const from = byId.get(edge.from)!;
      const to = byId.get(edge.to)!;
      const shared =
        edge.crossTenant && from.kind === 'topic' ? `   [shared by ${topicOwner(from.name)}]` : '';
      lines.push(`  ${describeNode(from)} ${ARROWS[edge.kind]} ${describeNode(to)}${shared}`);
    }
    const idle = graph.nodes.filter((n) => n.tenant === tenant.name && n.kind === 'topic' && !used.has(n.id));
    for (const node of idle) {
      const readers = graph.edges.filter((e) => e.from === node.id).length;
      if (readers === 0) lines.push(`  ${describeNode(node)} (no reader)`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
