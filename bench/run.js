'use strict';
// `npm run bench` (after `npm run build`): measures Hookledger on this machine and prints a table
// and one JSON line. It reports figures; it never asserts them. See BENCHMARKS.md.
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { Api } = require('./api.js');
const { sleep } = require('./clock.js');
const { parseOptions, repsFor } = require('./options.js');
const { format, summarise } = require('./profile-summary.js');
const { Receiver } = require('./receiver-client.js');
const { medianOf, render, targets } = require('./report.js');
const { runAccept } = require('./scenarios/accept.js');
const { runCeiling } = require('./scenarios/ceiling.js');
const { runFanout, setupFanout } = require('./scenarios/fanout.js');
const { fillStore, measureQueries, setupGrowth, storeSize } = require('./scenarios/growth.js');
const { runLatency, setupLatency } = require('./scenarios/latency.js');
const { runRestart, setupRestart } = require('./scenarios/restart.js');
const { runThroughput, setupThroughput } = require('./scenarios/throughput.js');
const { BenchSystem } = require('./system.js');

const say = (message) => console.log(`[bench] ${message}`);
const HOOKLEDGER_TAGS = new Set(['one', 'spread', 'lat', 'fan', 'grow', 'lat-restart']); // the ceiling's tags are ceil-*

/** Concurrency the dispatcher allows towards `endpoints` endpoints (global and per-endpoint caps). */
function dispatcherConcurrency(endpoints) {
  const global = Number(process.env.HOOKS_DISPATCH_CONCURRENCY) || 256;
  const perEndpoint = Number(process.env.HOOKS_ENDPOINT_CONCURRENCY) || 32;
  return Math.min(global, endpoints * perEndpoint);
}

/**
 * One extra run (never in the medians) with the CPU profiler on in api-gateway, ingest and the
 * dispatcher; returns the summaries of the profiles it wrote.
 */
async function profiled(ctx, label, run) {
  const { system, options } = ctx;
  const before = new Set(fs.existsSync(options.cpuProf) ? fs.readdirSync(options.cpuProf) : []);
  await system.quiesce();
  system.toggleProfile();
  await sleep(200);
  const summary = await run();
  system.toggleProfile();
  const deadline = Date.now() + 30_000;
  let files = [];
  while (files.length < system.profiledCount() && Date.now() < deadline) {
    await sleep(250);
    files = fs.readdirSync(options.cpuProf).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  }
  say(`profiled ${label} (not in the medians): ${summary}`);
  return files.sort().map((file) => ({ run: label, ...summarise(path.join(options.cpuProf, file), 15) }));
}

async function throughput(ctx, result) {
  const { options } = ctx;
  const cases = [await setupThroughput(ctx, 'one', 1), await setupThroughput(ctx, 'spread', options.spread)];
  say('warm-up: 1,000 events through each case and its ceiling (not measured)');
  for (const setup of cases) {
    await runCeiling(ctx, setup, 1000, dispatcherConcurrency(setup.endpoints));
    await runThroughput(ctx, setup, 1000);
    ctx.expected += 1000;
  }
  for (const n of options.sizes) {
    for (const setup of cases) {
      const runs = [];
      const ceilings = [];
      for (let rep = 1; rep <= repsFor(options, n); rep++) {
        ceilings.push(await runCeiling(ctx, setup, n, dispatcherConcurrency(setup.endpoints)));
        runs.push(await runThroughput(ctx, setup, n));
        result.raw.push({ scenario: 'throughput', case: setup.tag, rep, ceiling: ceilings.at(-1), run: runs.at(-1) });
        ctx.expected += n;
        say(`throughput ${setup.tag} N=${n} #${rep}: ${runs.at(-1).rate.toFixed(0)} events/s (ceiling ${ceilings.at(-1).rate.toFixed(0)}), ${runs.at(-1).delivered} delivered (${runs.at(-1).outcome})`);
      }
      const row = { case: setup.tag === 'one' ? '1 endpoint' : `${setup.endpoints} endpoints`, ...medianOf(runs), ceiling: medianOf(ceilings).rate };
      row.ratio = row.rate / row.ceiling;
      // All processes' CPU per delivery: apps, Postgres, nats-server (the sum of the per-process medians).
      row.cpuMsTotal = Object.values(row.cpuMsPerEvent ?? {}).reduce((sum, ms) => sum + ms, 0);
      result.throughput.push(row);
      if (options.cpuProf && !result.profiles) {
        result.profiles = await profiled(ctx, `throughput ${row.case} N=${n}`, async () => {
          const run = await runThroughput(ctx, setup, n);
          ctx.expected += n;
          return `${run.rate.toFixed(0)} events/s`;
        });
      }
    }
  }
}

async function latency(ctx, result) {
  await setupLatency(ctx);
  for (const rate of ctx.options.rates) {
    const runs = [];
    for (let rep = 1; rep <= ctx.options.reps; rep++) {
      runs.push(await runLatency(ctx, rate, ctx.options.latencySeconds));
      result.raw.push({ scenario: 'latency', rep, run: runs.at(-1) });
      ctx.expected += runs.at(-1).accepted;
      const r = runs.at(-1);
      say(`latency at ${rate}/s #${rep}: p50 ${r.p50?.toFixed(1)} ms, p99 ${r.p99?.toFixed(1)} ms, achieved ${r.achievedRate.toFixed(0)}/s, ${r.delivered}/${r.sent} delivered`);
    }
    result.latency.push(medianOf(runs));
  }
}

async function accept(ctx, result) {
  const { options } = ctx;
  for (const batchSize of [1, options.acceptBatch]) {
    const runs = [];
    for (let rep = 1; rep <= options.reps; rep++) {
      runs.push(await runAccept(ctx, { batchSize, clients: options.acceptClients, seconds: options.acceptSeconds }));
      result.raw.push({ scenario: 'accept', rep, run: runs.at(-1) });
      say(`accept batch=${batchSize} #${rep}: ${runs.at(-1).requestsPerSecond.toFixed(0)} requests/s, ${runs.at(-1).eventsPerSecond.toFixed(0)} events/s`);
    }
    result.accept.push(medianOf(runs));
    if (options.cpuProf && batchSize === 1) {
      const settings = { batchSize, clients: options.acceptClients, seconds: options.acceptSeconds };
      const summaries = await profiled(ctx, 'accept POST /v1/events', async () => `${(await runAccept(ctx, settings)).requestsPerSecond.toFixed(0)} requests/s`);
      result.profiles = [...(result.profiles ?? []), ...summaries];
    }
  }
}

async function fanout(ctx, result) {
  say(`creating ${ctx.options.fanout} fan-out endpoints`);
  const setup = await setupFanout(ctx, ctx.options.fanout);
  await runFanout(ctx, setup, 0); // warm-up: the first event after the endpoints changed reloads ingest's index
  ctx.expected += setup.count;
  const runs = [];
  for (let rep = 1; rep <= ctx.options.reps; rep++) {
    runs.push(await runFanout(ctx, setup, rep));
    result.raw.push({ scenario: 'fanout', rep, run: runs.at(-1) });
    ctx.expected += setup.count;
    say(`fan-out #${rep}: all ${runs.at(-1).delivered} delivered after ${runs.at(-1).allMs.toFixed(0)} ms`);
  }
  result.fanout = medianOf(runs);
}

/**
 * Stop and start the apps, publishing at 200/s from the spawn on: first as a restart on the state
 * the scenarios before left, then as a fresh start (the namespace's streams emptied).
 */
async function restart(ctx, result) {
  await setupRestart(ctx);
  result.restart = [];
  for (const fresh of [false, true]) {
    const runs = [];
    for (let rep = 1; rep <= ctx.options.reps; rep++) {
      const run = await runRestart(ctx, { fresh });
      runs.push(run);
      result.raw.push({ scenario: 'restart', rep, run });
      ctx.expected += run.accepted;
      const ms = (value) => (value === null ? '–' : `${(value / 1000).toFixed(1)} s`);
      say(`${run.case} #${rep}: p99 ≤ 50 ms from ${run.settledMs === null ? `never within ${run.seconds} s` : ms(run.settledMs)} after spawn (all /health ${ms(run.healthyMs)} using ${run.startCpuS.toFixed(1)} s of CPU, load ${run.loadAverage}, first 202 ${ms(run.firstAcceptMs)}, 202 p99 in the first 5 s ${run.acceptP99First?.toFixed(0)} ms, ${run.held} publishes held while the API did not listen, ${run.failures} failed, ${run.delivered}/${run.sent} delivered); p99 per second: ${run.timeline.map(([, , p99]) => p99 ?? '∞').join(' ')}`);
    }
    // A run that never settled counts as the slowest: the median is null when most did not.
    const settled = runs.map((run) => run.settledMs ?? Infinity).sort((a, b) => a - b);
    const mid = Math.floor(settled.length / 2);
    const settledMs = settled.length % 2 ? settled[mid] : (settled[mid - 1] + settled[mid]) / 2;
    result.restart.push({ ...medianOf(runs), settledMs: Number.isFinite(settledMs) ? settledMs : null, settledRuns: runs.filter((run) => run.settledMs !== null).length });
  }
}

/** Throughput and delivery-list queries before and after writing `--fill` events into the store. */
async function growth(ctx, result) {
  const { options, system } = ctx;
  const setup = await setupGrowth(ctx);
  await runThroughput(ctx, setup, 1000); // warm-up
  ctx.expected += 1000;
  const half = async (label) => {
    // Both halves on fresh planner statistics: otherwise the first runs on tables autovacuum has
    // not analysed yet (worse plans, more Postgres CPU per event) and the second on tables the
    // fill just analysed, and the comparison measures that instead of the store's size.
    await system.db.query('ANALYZE');
    const runs = [];
    for (let rep = 1; rep <= options.reps; rep++) {
      runs.push(await runThroughput(ctx, setup, options.growthN));
      ctx.expected += options.growthN;
      result.raw.push({ scenario: 'growth', half: label, rep, run: runs.at(-1) });
      say(`growth ${label} #${rep}: ${runs.at(-1).rate.toFixed(0)} events/s`);
    }
    await system.quiesce();
    const queries = await measureQueries(ctx, setup.endpointIds);
    say(`growth ${label}: GET /v1/deliveries p50 ${queries.p50.toFixed(1)} ms, p95 ${queries.p95.toFixed(1)} ms`);
    return { label, ...(await storeSize(system.db)), throughput: medianOf(runs).rate, queries };
  };
  const before = await half('before fill');
  say(`filling the store with ${options.fill.toLocaleString('en')} events`);
  const fill = await fillStore(system.databaseUrl, { events: options.fill, endpointIds: setup.endpointIds, log: say });
  ctx.filledAttempts = (ctx.filledAttempts ?? 0) + fill.messages;
  const after = await half('after fill');
  result.growth = { fill, before, after, ratio: after.throughput / before.throughput };
}

async function ledger(ctx) {
  await ctx.system.quiesce();
  await sleep(1000); // the dispatcher acks after recording; let the last answers land
  const totals = await ctx.receiver.totals();
  const ours = Object.entries(totals).filter(([tag]) => HOOKLEDGER_TAGS.has(tag));
  // Attempts the growth scenario wrote straight into the store were never sent.
  const attempted = (await ctx.system.countEvents('DeliveryAttempted')) - (ctx.filledAttempts ?? 0);
  const received = ours.reduce((sum, [, t]) => sum + t.total, 0);
  const distinct = ours.reduce((sum, [, t]) => sum + t.unique, 0);
  const { expected } = ctx;
  const verdict = attempted === received && distinct === expected ? 'nothing skipped' : 'MISMATCH: see the counts';
  return { attempted, received, distinct, expected, verdict };
}

/** The commit measured (read-only git; BENCH_COMMIT names it where there is no .git, e.g. an exported tree). */
function commit(root) {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  return {
    cpus: os.cpus().length,
    cpu,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: { before: Math.round(100 * os.loadavg()[0]) / 100 },
  };
}

async function main() {
  const options = parseOptions();
  const startedAt = new Date();
  const system = new BenchSystem(options);
  let receiver = null;
  let ctx = null;
  const watchdog = setTimeout(() => {
    console.error(`[bench] still running after ${options.maxMinutes} minutes: stopping`);
    system.failure ??= new Error('the bench ran out of time (--max-minutes)');
  }, options.maxMinutes * 60_000);
  // First Ctrl-C: stop after the current step and clean up; a second one: leave now (the apps are
  // killed by the exit hook, the receiver exits when its channel closes).
  const interrupted = (signal) => {
    if (system.failure?.message === 'interrupted') process.exit(130);
    system.failure = new Error('interrupted');
    console.error(`[bench] ${signal}: stopping after the current step (again to stop at once)`);
  };
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  const result = { raw: [], startedAt: startedAt.toISOString(), commit: commit(options.root), machine: machine(), options: { ...options, scenarios: [...options.scenarios] }, throughput: [], latency: [], accept: [], fanout: null };
  try {
    say(`database ${options.database}, NATS namespace ${options.namespace}, ports ${options.portBase}… (receiver from ${options.portBase + 100})`);
    await system.prepare();
    Object.assign(result.machine, await system.versions());
    receiver = await Receiver.start(options.portBase + 100, options.spread);
    await system.startApps();
    // expected: deliveries Hookledger owes; api: replaced when the restart scenario restarts the apps
    ctx = { options, system, receiver, api: new Api(system.apiUrl, system.adminKey), expected: 0 };
    say('Hookledger is up; running ' + [...options.scenarios].join(', '));
    const steps = { throughput, latency, accept, fanout, growth, restart };
    result.memory = {};
    for (const [name, step] of Object.entries(steps)) {
      if (!options.scenarios.has(name)) continue;
      system.resetMemoryWindow();
      await step(ctx, result);
      result.memory[name] = await system.windowMemory();
    }
    result.peakRssMb = system.peakMemory();
    result.ledger = await ledger(ctx);
  } finally {
    clearTimeout(watchdog);
    await ctx?.api.close().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await system.stop();
  }
  result.machine.loadAverage.after = Math.round(100 * os.loadavg()[0]) / 100;
  result.targets = targets(result);
  result.finishedAt = new Date().toISOString();
  console.log(`\n${render(result)}\n`);
  for (const profile of result.profiles ?? []) console.log(`during ${profile.run}: ${format(profile)}\n`);
  fs.mkdirSync(options.outDir, { recursive: true });
  fs.writeFileSync(path.join(options.outDir, 'latest.json'), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(`[bench] ${error.stack ?? error.message}`);
  process.exit(1);
});
