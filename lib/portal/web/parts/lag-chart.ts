/**
 * A consumer group's lag over the last minutes with uPlot: offset lag (records, left axis) and time lag
 * (seconds, right axis). The canvas is decoration for sighted readers; the caption says the same in words.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { LagPoint } from '../../live.ts';
import { html } from '../html.ts';
import { count, seconds } from './format.ts';

export function LagChart({ points, label }: { points: LagPoint[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const data: uPlot.AlignedData = [
    points.map((p) => p.at / 1000),
    points.map((p) => p.offsetLag),
    points.map((p) => p.timeLagSeconds),
  ];
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(240, Math.min(640, element.clientWidth || 320));
    plot.current = new uPlot(
      {
        width: width(),
        height: 140,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, s: { auto: true } },
        axes: [
          { stroke: '#333' },
          { stroke: '#1f4e9e', label: 'records', size: 50 },
          { stroke: '#8a4b00', label: 'seconds', side: 1, scale: 's', grid: { show: false }, size: 50 },
        ],
        series: [
          {},
          { label: 'offset lag', stroke: '#1f4e9e', width: 2 },
          { label: 'time lag', stroke: '#8a4b00', width: 2, dash: [6, 4], scale: 's' },
        ],
      },
      data,
      element,
    );
    const resize = () => plot.current?.setSize({ width: width(), height: 140 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, []);
  useEffect(() => {
    plot.current?.setData(data);
  });
  const last = points.at(-1);
  const minutes = points.length > 1 ? Math.round((points.at(-1)!.at - points[0]!.at) / 60_000) : 0;
  return html`<figure class="chart">
    <div ref=${box} aria-hidden="true"></div>
    <figcaption>
      ${label}: offset lag ${count(last?.offsetLag)} records, time lag ${seconds(last?.timeLagSeconds)}
      ${points.length > 1 ? ` (chart of the last ${minutes || '<1'} min, ${points.length} samples)` : ' (the chart fills as samples arrive)'}
    </figcaption>
  </figure>`;
}
