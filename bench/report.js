'use strict';
// Medians over repetitions, the printed tables, and issue 16's targets with their verdicts.

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

// Issue 16's targets. Throughput is judged against the rates measured before it (BENCHMARKS.md,
// commit ad1613b, N = 20,000, medians of 3): the baselines below.
const TARGETS = {
  cpuMs: 0.4, // CPU per delivery, all processes, 1 endpoint…
  cpuN: 20_000, // …at this N
  baseline: { '1 endpoint': 1442, '100 endpoints': 1488 }, // events/s
  factor: 3, // throughput ≥ this × the baseline…
  ceilingShare: 0.35, // …and ≥ this share of the ceiling
  throughputMinN: 20_000, // smaller runs are mostly ramp-up and drain: not judged
  p99At200Ms: 50,
  offered: 1000, // events/s offered…
  achievedMin: 990, // …achieved at least (the driver's timer rounds a little below the offer)…
  p99At1000Ms: 100, // …with this p99
  singlePublishPerS: 3000,
  fanoutEndpoints: 1000,
  fanoutMs: 300,
  rssMb: 200,
  restartMs: 5000,
};

const count = (value) => (value === null || value === undefined ? '–' : Math.round(value).toLocaleString('en'));
const NOT_MEASURED = 'n/a (not measured: scenario not run)';

/** Every target of the issue with its measured figure: met (true), not met (false), or why it is not judged (a string). */
function targets(result) {
  const t = TARGETS;
  const rows = [];
  const add = (target, measured, met, value = null) => rows.push({ target, measured, value, met: met === true ? 'met' : met === false ? 'not met' : met });

  const cpuTarget = `CPU per delivery, all processes (apps + Postgres + NATS), 1 endpoint N=${count(t.cpuN)}: ≤ ${t.cpuMs.toFixed(2)} ms`;
  const ones = result.throughput.filter((row) => row.case === '1 endpoint');
  const cpuRow = ones.find((row) => row.n === t.cpuN) ?? ones[0];
  if (!cpuRow) add(cpuTarget, '–', NOT_MEASURED);
  else {
    const total = cpuRow.cpuMsTotal ?? Object.values(cpuRow.cpuMsPerEvent ?? {}).reduce((sum, ms) => sum + ms, 0);
    const judged = cpuRow.n === t.cpuN;
    add(cpuTarget, `${fixed(total, 3)} ms${judged ? '' : ` at N=${count(cpuRow.n)}`}`, judged ? total <= t.cpuMs : `n/a (measured at N=${count(cpuRow.n)} only)`, total);
  }

  for (const name of Object.keys(t.baseline)) {
    const base = t.baseline[name];
    const rateTarget = (n) => `throughput ${name}${n ? ` N=${count(n)}` : ''}: ≥ ${t.factor}× ${count(base)} = ${count(t.factor * base)} events/s`;
    const shareTarget = (n) => `throughput ${name}${n ? ` N=${count(n)}` : ''}: ≥ ${100 * t.ceilingShare} % of the ceiling`;
    const measured = result.throughput.filter((row) => row.case === name);
    if (measured.length === 0) {
      add(rateTarget(), '–', NOT_MEASURED);
      add(shareTarget(), '–', NOT_MEASURED);
    }
    for (const row of measured) {
      const judged = row.n >= t.throughputMinN ? null : `n/a (N below ${count(t.throughputMinN)})`;
      add(rateTarget(row.n), `${count(row.rate)} events/s (${fixed(row.rate / base, 2)}×)`, judged ?? row.rate >= t.factor * base, row.rate);
      add(shareTarget(row.n), `${fixed(100 * row.ratio)} % of ${count(row.ceiling)}`, judged ?? row.ratio >= t.ceilingShare, row.ratio);
    }
  }

  const at200 = result.latency.find((row) => row.rate === 200);
  const p99Target = `p99 publish→delivered at 200 events/s: ≤ ${t.p99At200Ms} ms`;
  if (at200) add(p99Target, `${fixed(at200.p99, 1)} ms`, at200.p99 !== null && at200.p99 <= t.p99At200Ms, at200.p99);
  else add(p99Target, '–', result.latency.length > 0 ? 'n/a (200 events/s not offered)' : NOT_MEASURED);
  const at1000 = result.latency.find((row) => row.rate === t.offered);
  const achievedTarget = `${count(t.offered)} events/s offered: achieved ≥ ${count(t.offered)}/s (≥ ${count(t.achievedMin)} with the driver's rounding)`;
  const tailTarget = `${count(t.offered)} events/s offered: p99 publish→delivered ≤ ${t.p99At1000Ms} ms`;
  if (at1000) {
    add(achievedTarget, `${count(at1000.achievedRate)}/s`, at1000.achievedRate >= t.achievedMin, at1000.achievedRate);
    add(tailTarget, `${fixed(at1000.p99, 1)} ms`, at1000.p99 !== null && at1000.p99 <= t.p99At1000Ms, at1000.p99);
  } else {
    const why = result.latency.length > 0 ? `n/a (${count(t.offered)} events/s not offered)` : NOT_MEASURED;
    add(achievedTarget, '–', why);
    add(tailTarget, '–', why);
  }

  const single = result.accept.find((row) => row.batchSize === 1);
  const acceptTarget = `single POST /v1/events: ≥ ${count(t.singlePublishPerS)} requests/s`;
  if (single) add(acceptTarget, `${count(single.requestsPerSecond)} requests/s`, single.requestsPerSecond >= t.singlePublishPerS, single.requestsPerSecond);
  else add(acceptTarget, '–', NOT_MEASURED);

  const fanTarget = `fan-out 1 event → ${count(t.fanoutEndpoints)} endpoints, last delivered: ≤ ${(t.fanoutMs / 1000).toFixed(1)} s`;
  const f = result.fanout;
  if (f) add(fanTarget, `${count(f.allMs)} ms${f.endpoints === t.fanoutEndpoints ? '' : ` to ${count(f.endpoints)}`}`, f.endpoints >= t.fanoutEndpoints ? f.allMs <= t.fanoutMs : `n/a (fanned out to ${count(f.endpoints)} only)`, f.allMs);
  else add(fanTarget, '–', NOT_MEASURED);

  for (const [app, mb] of Object.entries(result.peakRssMb ?? {})) add(`${app} peak RSS: ≤ ${t.rssMb} MB`, `${mb} MB`, mb <= t.rssMb, mb);

  const restartTarget = `after a fresh start or restart: publish p99 ≤ 50 ms at 200 events/s within ≤ ${t.restartMs / 1000} s of the spawn (the worse)`;
  if (result.restart?.length > 0) {
    const worst = result.restart.reduce((a, b) => ((a.settledMs ?? Infinity) >= (b.settledMs ?? Infinity) ? a : b));
    const settled = worst.settledMs;
    const measured = `${settled === null ? `not within ${worst.seconds} s` : `${(settled / 1000).toFixed(1)} s`} (${result.restart.map((row) => `${row.case} ${row.settledMs === null ? `> ${row.seconds} s` : `${(row.settledMs / 1000).toFixed(1)} s`}`).join(', ')})`;
    add(restartTarget, measured, settled !== null && settled <= t.restartMs, settled);
  } else add(restartTarget, '–', NOT_MEASURED);
  return rows;
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
      ['CPU ms per event', 'N', ...apps.map((a) => (a === 'nats' ? 'nats (shared)' : a)), 'total, all processes'],
      result.throughput.map((r) => [r.case, r.n, ...apps.map((a) => fixed(r.cpuMsPerEvent[a], 3)), fixed(r.cpuMsTotal ?? Object.values(r.cpuMsPerEvent).reduce((x, y) => x + y, 0), 3)]),
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
  if (result.restart?.length > 0) {
    const s = (ms) => (ms === null || ms === undefined ? '–' : (ms / 1000).toFixed(1));
    parts.push(table(
      ['after (re)start, 200 events/s from the spawn', 'runs', 'p99 ≤ 50 ms from s', 'settled runs', 'all /health s', 'CPU s to /health (4 apps)', 'load avg', 'first 202 s', '202 p99 first 5 s ms', 'p99 after settled ms', 'p99 whole run ms', 'held / failed publishes', 'stop s', 'delivered'],
      result.restart.map((r) => [r.case, r.runs, r.settledMs === null ? `not within ${r.seconds}` : s(r.settledMs), `${r.settledRuns}/${r.runs}`, s(r.healthyMs), fixed(r.startCpuS, 1), fixed(r.loadAverage, 1), s(r.firstAcceptMs), fixed(r.acceptP99First), fixed(r.p99AfterSettled, 1), fixed(r.p99, 1), `${r.held} / ${r.failures}`, s(r.stopMs), `${r.delivered}/${r.sent}`]),
    ));
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
  parts.push(table(['issue 16 target', 'measured (medians)', 'met?'], result.targets.map((t) => [t.target, t.measured, t.met])));
  const judged = result.targets.filter((t) => t.met === 'met' || t.met === 'not met');
  parts.push(`targets: ${judged.filter((t) => t.met === 'met').length} of ${judged.length} judged met${judged.length < result.targets.length ? `, ${result.targets.length - judged.length} not judged` : ''}`);
  return parts.join('\n\n');
}

module.exports = { median, medianOf, targets, render, TARGETS };
