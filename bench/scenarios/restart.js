'use strict';
// After a fresh start or a restart: how long from the apps' spawn until publish → delivered p99 is
// back under 50 ms at 200 events/s, and stays there. The four apps are stopped as the bench stops
// them (SIGTERM), spawned again as bench/system.js spawns them, and from the spawn on (the clock
// starts there, not when they answer /health) the driver publishes single events open loop, each
// with its send time in `data.sent_at`, as the latency scenario does. A publish refused because the
// API does not listen yet is held and sent again once it does; its send time stays the first
// attempt's, so the wait is part of its latency. Two cases: "restart" (the store and streams as the
// previous scenarios left them) and "fresh start" (the namespace's streams deleted while the apps
// are down; nothing is pending then, as before any run).
const net = require('node:net');
const os = require('node:os');
const { Api } = require('../api.js');
const { now, sleep } = require('../clock.js');
const { cpuSecondsOf } = require('../proc.js');
const { eventData, newSecret } = require('../webhook.js');

const TAG = 'lat-restart';
const LIMIT_MS = 50; // the p99 publishes must be back under
const WINDOW_MS = 1000; // sliding window over send times…
const STEP_MS = 100; // …moved in these steps: the figure's resolution
const FIRST_MS = 5000; // "the first seconds": the 202's p99 over the sends of these
const START_TIMEOUT_MS = 60_000; // the apps must answer /health within this (as at the bench's start)

async function setupRestart({ api, receiver }) {
  await api.createEndpoint(receiver.url(TAG, 0), ['bench.restart'], newSecret());
}

const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
const sortedNumbers = (values) => [...values].sort((a, b) => a - b);
const refused = (error) => error?.code === 'ECONNREFUSED' || error?.cause?.code === 'ECONNREFUSED';

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Per app: ms from t0 until it answered /health (polled every 50 ms), and the CPU seconds it had
 * used by then — the start's own cost, which CPU contention on a shared machine does not inflate.
 */
async function healthTimes(system, t0) {
  const entries = await Promise.all(system.apps.map(async (app) => {
    await system.waitHealthy(app, START_TIMEOUT_MS, 50);
    return [app.name, { ms: now() - t0, cpuS: cpuSecondsOf(app.child.pid) }];
  }));
  return Object.fromEntries(entries);
}

/**
 * Publishes `rate` single events a second for `seconds` from t0, open loop. While the API refuses
 * connections, publishes wait for one probe (a TCP connect every 10 ms) instead of hammering it.
 */
async function drive({ api, port, t0, rate, seconds }) {
  const total = Math.round(rate * seconds);
  const outcomes = []; // by seq: { sentAt, acceptMs } or { sentAt, failed }
  const counts = { held: 0, refusedAttempts: 0, failed: 0 };
  const giveUpAt = t0 + seconds * 1000 + START_TIMEOUT_MS;
  let gate = null; // while the API does not listen: settles once it does (or at giveUpAt)
  const openGate = async () => {
    while (now() < giveUpAt && !(await canConnect(port))) await sleep(10);
    gate = null;
  };
  const publish = async (seq, sentAt) => {
    const event = { type: 'bench.restart', data: eventData(seq, sentAt) };
    let held = false;
    try {
      for (;;) {
        if (gate) {
          held = true;
          await gate;
        }
        try {
          await api.publish(event);
          return now() - sentAt;
        } catch (error) {
          // Refused: nothing reached the API, so sending it again cannot publish it twice.
          if (!refused(error) || now() > giveUpAt) throw error;
          counts.refusedAttempts++;
          held = true;
          gate ??= openGate();
        }
      }
    } finally {
      if (held) counts.held++;
    }
  };
  const open = new Set();
  let sent = 0;
  while (sent < total && now() - t0 < seconds * 3000) {
    const due = Math.min(total, Math.floor(((now() - t0) * rate) / 1000) + 1);
    while (sent < due) {
      const seq = sent++;
      const sentAt = now();
      const publishing = publish(seq, sentAt)
        .then((acceptMs) => (outcomes[seq] = { sentAt, acceptMs }), () => {
          outcomes[seq] = { sentAt, failed: true };
          counts.failed++;
        })
        .finally(() => open.delete(publishing));
      open.add(publishing);
    }
    await sleep(1);
  }
  const sendMs = now() - t0;
  await Promise.all(open);
  return { outcomes, counts, sent, sendMs };
}

/**
 * Sliding 1 s windows of send time, every 100 ms, over the whole sending period: the p99 of each
 * (a failed or undelivered publish counts as infinitely late). Settled: the start of the first
 * window from which every window's p99 is ≤ 50 ms to the end of the run; null when the last is not.
 */
function settle(points, sendMs) {
  let lastBad = -1;
  let windows = 0;
  for (let start = 0; start + WINDOW_MS <= sendMs; start += STEP_MS, windows++) {
    const inWindow = sortedNumbers(points.filter(([at]) => at >= start && at < start + WINDOW_MS).map(([, ms]) => ms));
    const p99 = percentile(inWindow, 99);
    if (p99 === null || p99 > LIMIT_MS) lastBad = windows;
  }
  if (windows === 0 || lastBad === windows - 1) return null;
  return (lastBad + 1) * STEP_MS;
}

/** Per second of send time from t0: [publishes, p50, p99, max] ms (null: some never delivered). */
function perSecond(points) {
  const seconds = [];
  for (const [at, ms] of points) (seconds[Math.floor(at / 1000)] ??= []).push(ms);
  return [...seconds].map((values = []) => {
    const sorted = sortedNumbers(values);
    const round = (ms) => (ms === null || !Number.isFinite(ms) ? null : Math.round(ms));
    return [sorted.length, round(percentile(sorted, 50)), round(percentile(sorted, 99)), round(sorted.at(-1) ?? null)];
  });
}

async function runRestart(ctx, { fresh }) {
  const { system, receiver, options } = ctx;
  await system.quiesce();
  receiver.reset(TAG);
  const stopping = now();
  await system.stopApps();
  const stopMs = now() - stopping;
  if (fresh) await system.deleteStreams();
  // The old pool's connections went with the old api-gateway: publish (and carry on) with a new one.
  await ctx.api.close().catch(() => undefined);
  ctx.api = new Api(system.apiUrl, system.adminKey);

  const loadAverage = Math.round(100 * os.loadavg()[0]) / 100;
  const t0 = now();
  system.spawnApps();
  const health = healthTimes(system, t0);
  health.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
  const { outcomes, counts, sent, sendMs } = await drive({ api: ctx.api, port: options.portBase, t0, rate: options.restartRate, seconds: options.restartSeconds });
  const started = await health;
  const healthMs = Object.fromEntries(Object.entries(started).map(([name, { ms }]) => [name, ms]));
  const startCpuS = Object.fromEntries(Object.entries(started).map(([name, { cpuS }]) => [name, cpuS]));
  const accepted = outcomes.filter((o) => !o.failed);
  const outcome = await receiver.waitFor(TAG, accepted.length, { timeoutMs: 120_000, idleMs: 30_000 });
  system.assertRunning();

  const delivered = new Map();
  for (const [seq, , ms] of await receiver.samples(TAG)) if (!delivered.has(seq)) delivered.set(seq, ms);
  const points = outcomes.map((o, seq) => [o.sentAt - t0, delivered.get(seq) ?? Infinity]);
  const settledMs = settle(points, sendMs);
  const latencies = sortedNumbers(points.map(([, ms]) => ms));
  const after = sortedNumbers(points.filter(([at]) => settledMs !== null && at >= settledMs).map(([, ms]) => ms));
  const acceptMs = (list) => sortedNumbers(list.map((o) => o.acceptMs));
  const finite = (ms) => (ms !== null && Number.isFinite(ms) ? ms : null);
  return {
    case: fresh ? 'fresh start' : 'restart',
    rate: options.restartRate,
    seconds: options.restartSeconds,
    settledMs,
    stopMs,
    healthyMs: Math.max(...Object.values(healthMs)),
    healthMs,
    startCpuS: Object.values(startCpuS).reduce((sum, cpuS) => sum + (cpuS ?? 0), 0),
    startCpuSByApp: startCpuS,
    loadAverage,
    firstAcceptMs: Math.min(...accepted.map((o) => o.sentAt - t0 + o.acceptMs)),
    acceptP99First: percentile(acceptMs(accepted.filter((o) => o.sentAt - t0 < FIRST_MS)), 99),
    acceptP99: percentile(acceptMs(accepted), 99),
    p50: finite(percentile(latencies, 50)),
    p99: finite(percentile(latencies, 99)),
    p99AfterSettled: finite(percentile(after, 99)),
    achievedRate: sent / (sendMs / 1000),
    sent,
    accepted: accepted.length,
    delivered: delivered.size,
    held: counts.held,
    refusedAttempts: counts.refusedAttempts,
    failures: counts.failed,
    outcome,
    timeline: perSecond(points),
  };
}

module.exports = { setupRestart, runRestart, LIMIT_MS };
