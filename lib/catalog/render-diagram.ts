/**
 * `stratus lineage --format mermaid|dot`: the graph as a diagram, one box per tenant. Node ids are positional
 * (`n0`, `n1`, …) because names may differ only in '.' and '-', which neither syntax allows in an id.
 */
import type { LineageEdge, LineageGraph, LineageNode } from './graph.ts';
import { graphTenants } from './graph.ts';

function nodeText(node: LineageNode): string {
  switch (node.kind) {
    case 'topic':
      return node.name;
    case 'consumer':
      return node.role === 'processor' ? `${node.label} (processor)` : node.label;
    case 'sink':
      return `${node.label} (${node.spec.format} sink)`;
    case 'table':
      return `${node.database}.${node.table}`;
    case 'objects':
      return node.label;
  }
}

function mermaidShape(node: LineageNode, id: string): string {
  const text = nodeText(node).replaceAll('"', '#quot;');
  switch (node.kind) {
    case 'topic':
      return `${id}[["${text}"]]`;
    case 'consumer':
    case 'sink':
      return `${id}(["${text}"])`;
    default:
      return `${id}[("${text}")]`;
  }
}

function mermaidArrow(edge: LineageEdge): string {
  if (edge.crossTenant) return '==>|shared|';
  if (edge.kind === 'dead-letters') return '-.->|dead letters|';
  return '-->';
}

export function renderMermaid(graph: LineageGraph): string {
  const ids = new Map(graph.nodes.map((node, index) => [node.id, `n${index}`]));
  const lines = ['flowchart LR'];
  for (const tenant of graphTenants(graph)) {
    lines.push(`  subgraph ${tenant.replaceAll('-', '_')}_tenant["${tenant}"]`);
    for (const node of graph.nodes.filter((n) => n.tenant === tenant))
      lines.push(`    ${mermaidShape(node, ids.get(node.id)!)}`);
    lines.push('  end');
  }
  for (const edge of graph.edges)
    lines.push(`  ${ids.get(edge.from)} ${mermaidArrow(edge)} ${ids.get(edge.to)}`);
  return `${lines.join('\n')}\n`;
}

const DOT_SHAPES: Record<LineageNode['kind'], string> = {
  topic: 'box, style="rounded"',
  consumer: 'ellipse',
  sink: 'ellipse',
  table: 'cylinder',
  objects: 'folder',
};

function dotString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function renderDot(graph: LineageGraph): string {
  const ids = new Map(graph.nodes.map((node, index) => [node.id, `n${index}`]));
  const lines = ['digraph lineage {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  graphTenants(graph).forEach((tenant, index) => {
    lines.push(`  subgraph cluster_${index} {`, `    label=${dotString(tenant)};`);
    for (const node of graph.nodes.filter((n) => n.tenant === tenant))
      lines.push(
        `    ${ids.get(node.id)} [label=${dotString(nodeText(node))}, shape=${DOT_SHAPES[node.kind]}];`,
      );
    lines.push('  }');
  });
  for (const edge of graph.edges) {
    const attributes = edge.crossTenant
      ? ' [label="shared", style=bold, color="#c05000"]'
      : edge.kind === 'dead-letters'
        ? ' [label="dead letters", style=dashed]'
        : '';
    lines.push(`  ${ids.get(edge.from)} -> ${ids.get(edge.to)}${attributes};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** `--format json`: nodes and edges, without the resolved specs (names, kinds, tenants and details only). */
export function renderJson(graph: LineageGraph): string {
  const nodes = graph.nodes.map((node) => {
    const { spec: _spec, ...rest } = node as LineageNode & { spec?: unknown };
    if (node.kind === 'consumer')
      return { ...rest, groupId: node.spec.groupId, handler: node.spec.handlerFile };
    if (node.kind === 'sink') return { ...rest, format: node.spec.format, topic: node.spec.topic };
    if (node.kind === 'topic' && node.spec)
      return {
        ...rest,
        partitions: node.spec.partitions,
        retentionMs: node.spec.retentionMs,
        schema: node.spec.schemaFile,
      };
    return rest;
  });
  return `${JSON.stringify({ tenants: graph.tenants.map((t) => t.name), nodes, edges: graph.edges }, null, 2)}\n`;
}
