import { useMemo } from 'preact/hooks';
import { api, optional } from '../api';
import { Empty, ErrorAlert, Loading, StatusBadge, useLoad, when } from '../components';
import type { Health, HealthSeries } from '../types';
import { Chart } from './chart';

const DAY_S = 86_400;
const SUCCESS_RANGE: [number, number] = [0, 100];

export function HealthPanel({ endpointId }: { endpointId: string }) {
  const path = `/v1/endpoints/${encodeURIComponent(endpointId)}/health`;
  const health = useLoad(() => api<Health>('GET', path), [endpointId]);
  const series = useLoad(() => {
    const until = new Date();
    const since = new Date(until.getTime() - DAY_S * 1000);
    // A gateway without the series route answers 404: the charts then say there is no data yet.
    return optional(api<HealthSeries>('GET', `${path}/series?since=${since.toISOString()}&until=${until.toISOString()}&buckets=48`));
  }, [endpointId]);

  const charts = useMemo(() => {
    const points = series.data?.points ?? [];
    if (!points.some((point) => point.requests > 0)) return null;
    const times = points.map((point) => Date.parse(point.start) / 1000);
    const rate = points.map((point) => (point.success_rate === null ? null : Math.round(point.success_rate * 1000) / 10));
    return {
      times,
      rate: [{ label: 'Success rate', values: rate, color: '#15803d' }],
      latency: [
        { label: 'p50', values: points.map((point) => point.latency_ms.p50), color: '#2563eb' },
        { label: 'p95', values: points.map((point) => point.latency_ms.p95), color: '#b45309' },
      ],
    };
  }, [series.data]);

  return (
    <section class="panel" aria-labelledby="health-title">
      <h2 id="health-title">Health</h2>
      <ErrorAlert error={health.error ?? series.error} />
      {health.loading && !health.data && <Loading what="health" />}
      {health.data && (
        <dl class="facts">
          <dt>Circuit</dt><dd><StatusBadge status={health.data.circuit.state} />{health.data.circuit.retry_at && ` — next probe ${when(health.data.circuit.retry_at)}`}</dd>
          <dt>Success rate ({Math.round(health.data.window.seconds / 60)} min)</dt>
          <dd>{health.data.window.success_rate === null ? 'no requests' : `${Math.round(health.data.window.success_rate * 1000) / 10}% of ${health.data.window.requests}`}</dd>
          <dt>Latency p50 / p95</dt><dd>{health.data.window.latency_ms.p50 ?? '—'} / {health.data.window.latency_ms.p95 ?? '—'} ms</dd>
          <dt>Failures in a row</dt><dd>{health.data.consecutive_failures}</dd>
          <dt>Last success</dt><dd>{when(health.data.last_success_at)}</dd>
          <dt>Last failure</dt><dd>{when(health.data.last_failure_at)}</dd>
        </dl>
      )}
      <h3>Last 24 hours</h3>
      {series.loading && !series.data && <Loading what="charts" />}
      {!series.loading && !charts && <Empty><p>No data yet: charts appear once deliveries have been attempted.</p></Empty>}
      {charts && (
        <div class="charts">
          <Chart title="Success rate" unit="%" times={charts.times} series={charts.rate} range={SUCCESS_RANGE} />
          <Chart title="Latency" unit="ms" times={charts.times} series={charts.latency} />
        </div>
      )}
    </section>
  );
}
