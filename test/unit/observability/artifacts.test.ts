import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { StratusMetrics } from '../../../lib/local/observability/metrics.ts';
import { PLATFORM_DEFAULTS } from '../../../lib/manifest/index.ts';

const dir = path.resolve(import.meta.dirname, '../../../observability');

interface Panel {
  id: number;
  title: string;
  type: string;
  targets?: { expr: string }[];
}

/** The dashboard and scrape config are data, not code: these checks keep them in step with the metrics. */
describe('observability/ artifacts', () => {
  const dashboard = JSON.parse(readFileSync(path.join(dir, 'grafana-dashboard.json'), 'utf8')) as {
    panels: Panel[];
    templating: { list: { name: string; query?: string | { query: string } }[] };
    annotations: { list: { expr: string }[] };
  };
  const registered = new Set(
    new StratusMetrics({ processMetrics: false }).registry.getMetricsAsArray().map((metric) => metric.name),
  );

  it('queries only metrics the runtime exports', () => {
    const expressions = [
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
      ...dashboard.templating.list.map((variable) =>
        typeof variable.query === 'object' ? variable.query.query : (variable.query ?? ''),
      ),
      ...dashboard.annotations.list.map((annotation) => annotation.expr),
    ];
    const used = new Set(
      expressions
        .flatMap((expr) => expr.match(/stratus_[a-z_]+/g) ?? [])
        .map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(used.size).toBeGreaterThan(15);
    for (const name of used) expect(registered, `${name} is not a metric of the runtime`).toContain(name);
  });

  it('has a panel for each CloudWatch counterpart: lag, time lag, drain, sink freshness, alarms', () => {
    const titles = dashboard.panels.map((panel) => panel.title);
    for (const title of [
      'Offset lag (SumOffsetLag, MaxOffsetLag)',
      'Time lag (EstimatedMaxTimeLag)',
      'Time to drain',
      'Data freshness',
      'Alarms in ALARM',
    ])
      expect(titles).toContain(title);
    // Every panel but the section rows has a query and a unique id.
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row'))
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('scrapes the default metrics port', () => {
    const config = parse(readFileSync(path.join(dir, 'prometheus.yml'), 'utf8'));
    expect(config.scrape_configs[0].metrics_path).toBe('/metrics');
    expect(config.scrape_configs[0].static_configs[0].targets).toEqual([
      `127.0.0.1:${PLATFORM_DEFAULTS.local.metricsPort}`,
    ]);
  });
});
