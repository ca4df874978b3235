import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series { label: string; values: (number | null)[]; color: string }

/** A uPlot line chart over time (`times` in unix seconds), as wide as its container. */
export function Chart({ title, times, series, unit, range }: { title: string; times: number[]; series: Series[]; unit: string; range?: [number, number] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        series: [{}, ...series.map((line) => ({ label: line.label, stroke: line.color, width: 2, spanGaps: false,
          // A bucket with attempts between empty ones has no neighbour to draw a line to: a dot shows it.
          points: { show: true, size: 6, fill: line.color }, value: (_: uPlot, value: number | null) => (value === null ? '—' : `${value} ${unit}`) }))],
        axes: [{}, { values: (_: uPlot, ticks: number[]) => ticks.map((tick) => `${tick} ${unit}`), size: 72 }],
        scales: { x: { time: true }, ...(range ? { y: { range } } : {}) },
      },
      [times, ...series.map((line) => line.values)] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, unit, range]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: ${series.map((line) => line.label).join(' and ')} over time`} />
    </figure>
  );
}
