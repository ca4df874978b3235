'use strict';
// Medians over repetitions, the printed table, the targets from the issue, and the JSON line.

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const isRecord = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Medians from repeated runs' result objects: numbers (and objects of numbers) key by key; others from the first run. */
function medianOf(runs) {
  const out = { runs: runs.length };
  for (const key of Object.keys(runs[0] ?? {})) {
    const first = runs[0][key];
    if (typeof first === 'number') out[key] = median(runs.map((run) => run[key]));
    else if (isRecord(first)) out[key] = Object.fromEntries(Object.keys(first).map((k) => [k, median(runs.map((run) => run[key]?.[k]))]));
    else if (!Array.isArray(first)) out[key] = first; // series (timelines) stay in the raw runs
  }
  if (runs.some((run) => run.outcome && run.outcome !== 'complete')) out.outcome = runs.map((run) => run.outcome).join(',');
  return out;
}

const fixed = (value, digits = 0) => (value === null || value === undefined ? '–' : Number(value).toFixed(digits));

function targets(result, limits) {
  const rows = [];
  for (const row of result.throughput) {
    rows.push([`throughput ${row.case} N=${row.n}: ≥ 60 % of the ceiling`, `${fixed(100 * row.ratio, 0)} %`, row.ratio >= 0.6]);
  }
  const at200 = result.latency.find((row) => row.rate === 200);
  if (at200) rows.push(['p99 publish→delivered at 200 events/s ≤ 50 ms', `${fixed(at200.p99, 1)} ms`, at200.p99 <= 50]);
  if (result.fanout) rows.push([`fan-out to ${result.fanout.endpoints} endpoints ≤ 1 s`, `${fixed(result.fanout.allMs)} ms`, result.fanout.endpoints >= 1000 ? result.fanout.allMs <= 1000 : null]);
  if (result.growth) {
    rows.push([`throughput with ${result.growth.after.events} events in the store ≥ 80 % of the empty store`, `${fixed(100 * result.growth.ratio)} %`, result.growth.after.events >= 10_000_000 ? result.growth.ratio >= 0.8 : null]);
    rows.push(['GET /v1/deliveries (endpoint + status) p95 ≤ 20 ms', `${fixed(result.growth.after.queries.p95, 1)} ms`, result.growth.after.events >= 10_000_000 ? result.growth.after.queries.p95 <= 20 : null]);
  }
  for (const [app, mb] of Object.entries(result.peakRssMb)) rows.push([`${app} peak RSS ≤ ${limits.rssMb} MB`, `${mb} MB`, mb <= limits.rssMb]);
  return rows.map(([target, measured, met]) => ({ target, measured, met: met === null ? 'n/a (smaller than the target\'s size)' : met ? 'met' : 'not met' }));
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

function render(result) {
  const parts = [];
  if (result.throughput.length > 0) {
    parts.push(table(
      ['throughput', 'N', 'runs', 'Hookledger events/s', 'steady events/s', 'ceiling events/s', 'ratio', 'publish events/s', 'delivered'],
      result.throughput.map((r) => [r.case, r.n, r.runs, fixed(r.rate), fixed(r.steadyRate), fixed(r.ceiling), `${fixed(100 * r.ratio)} %`, fixed(r.publishRate), `${r.delivered}/${r.n}${r.outcome === 'complete' ? '' : ` (${r.outcome})`}`]),
    ));
  }
  if (result.throughput.length > 0) {
    const apps = Object.keys(result.throughput[0].cpuMsPerEvent ?? {});
    parts.push(table(
      ['CPU ms per event', 'N', ...apps.map((a) => (a === 'nats' ? 'nats (shared)' : a)), 'total'],
      result.throughput.map((r) => [r.case, r.n, ...apps.map((a) => fixed(r.cpuMsPerEvent[a], 3)), fixed(Object.values(r.cpuMsPerEvent).reduce((x, y) => x + y, 0), 3)]),
    ));
  }
  if (result.throughput.length > 0 && result.throughput[0].postgres) {
    parts.push(table(
      ['Postgres per event', 'N', 'commits', 'rows inserted', 'rows updated', 'store events', 'events per append call', 'append ms'],
      result.throughput.map(({ case: name, n, postgres: p }) => [name, n, fixed(p.commits, 3), fixed(p.rowsInserted, 2), fixed(p.rowsUpdated, 2), fixed(p.storeEvents, 2), fixed(p.eventsPerAppend, 1), fixed(p.appendMs, 3)]),
    ));
  }
  if (result.latency.length > 0) {
    parts.push(table(
      ['latency offered/s', 'achieved/s', 'runs', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', '202 p50 ms', '202 p99 ms', 'delivered'],
      result.latency.map((r) => [r.rate, fixed(r.achievedRate), r.runs, fixed(r.p50, 1), fixed(r.p95, 1), fixed(r.p99, 1), fixed(r.max, 1), fixed(r.acceptP50, 1), fixed(r.acceptP99, 1), `${r.delivered}/${r.sent}`]),
    ));
  }
  if (result.accept.length > 0) {
    parts.push(table(
      ['API accept', 'clients', 'runs', 'requests/s', 'events/s', 'api-gateway CPU ms/request', 'failures'],
      result.accept.map((r) => [r.batchSize === 1 ? 'POST /v1/events' : `POST /v1/events/batch (${r.batchSize})`, r.clients, r.runs, fixed(r.requestsPerSecond), fixed(r.eventsPerSecond), fixed(r.apiCpuMsPerRequest, 2), r.failures]),
    ));
  }
  if (result.fanout) {
    const f = result.fanout;
    parts.push(table(['fan-out endpoints', 'runs', 'first ms', 'all delivered ms', '202 ms', 'delivered'], [[f.endpoints, f.runs, fixed(f.firstMs), fixed(f.allMs), fixed(f.acceptMs, 1), `${f.delivered}/${f.endpoints}`]]));
  }
  if (result.growth) {
    const g = result.growth;
    parts.push(table(
      ['store growth', 'events in store', 'database GB', 'throughput events/s (1 endpoint)', 'GET /v1/deliveries p50 ms', 'p95 ms', 'p99 ms', 'rows/request'],
      [g.before, g.after].map((h) => [h.label, h.events, fixed(h.gb, 1), fixed(h.throughput), fixed(h.queries.p50, 1), fixed(h.queries.p95, 1), fixed(h.queries.p99, 1), fixed(h.queries.rowsPerRequest, 1)]),
    ));
    parts.push(`fill: ${g.fill.events} events in ${fixed(g.fill.seconds)} s; throughput after / before: ${fixed(100 * g.ratio)} %`);
  }
  const profiledNote = result.options.cpuProf ? ' (profiler attached: inflated)' : '';
  const steps = Object.keys(result.memory ?? {});
  parts.push(table(
    ['app', `peak RSS MB${profiledNote}`, ...steps.map((step) => `${step}: peak RSS / heap used / heap total / external MB`)],
    Object.entries(result.peakRssMb).map(([app, mb]) => [app, mb, ...steps.map((step) => {
      const m = result.memory[step][app] ?? {};
      return `${m.peakRss} / ${m.heapUsed ?? '–'} / ${m.heapTotal ?? '–'} / ${m.external ?? '–'}`;
    })]),
  ));
  const c = result.ledger;
  parts.push(table(['ledger check', 'count'], [
    ['DeliveryAttempted events in the store', c.attempted],
    ['deliveries received (all / distinct)', `${c.received} / ${c.distinct}`],
    ['deliveries expected', c.expected],
    ['verdict', c.verdict],
  ]));
  const load = result.machine.loadAverage;
  if (load) parts.push(`load average (1 min) before the bench: ${load.before}, after: ${load.after} on ${result.machine.cpus} CPUs${load.before > result.machine.cpus / 2 ? ' — other work was running: figures are pessimistic' : ''}`);
  parts.push(table(['target', 'measured', 'met?'], result.targets.map((t) => [t.target, t.measured, t.met])));
  return parts.join('\n\n');
}

module.exports = { median, medianOf, targets, render };
