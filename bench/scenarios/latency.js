'use strict';
// Publish → delivered latency at a fixed offered rate, open loop: single events are published on
// a timer whatever the answers do, each carrying its send time in `data.sent_at`; the receiver
// subtracts it from its own arrival time. The driver never keeps more than MAX_OUTSTANDING
// publishes open; if that bound holds it back, the achieved rate (reported) falls below the offer.
const { inParallel } = require('../api.js');
const { now, sleep } = require('../clock.js');
const { eventData, newSecret } = require('../webhook.js');

const TAG = 'lat';
const MAX_OUTSTANDING = 1000;

async function setupLatency({ api, receiver }) {
  await inParallel(1, 1, () => api.createEndpoint(receiver.url(TAG, 0), ['bench.latency'], newSecret()));
  return { tag: TAG };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;

/** Per second of the run: the slowest 202, in ms — where the API (or JetStream behind it) stalled. */
function perSecondMax(points) {
  const seconds = [];
  for (const [at, ms] of points) seconds[Math.floor(at / 1000)] = Math.max(seconds[Math.floor(at / 1000)] ?? 0, Math.round(ms));
  return [...seconds].map((ms) => ms ?? null);
}

async function runLatency({ api, receiver, system }, rate, seconds) {
  await system.quiesce();
  receiver.reset(TAG);
  const total = Math.round(rate * seconds);
  const accepted = []; // [ms since start, ms to the 202]
  const open = new Set();
  let sent = 0;
  let failures = 0;
  const started = now();
  while (sent < total && now() - started < seconds * 3000) {
    const due = Math.min(total, Math.floor(((now() - started) * rate) / 1000) + 1);
    while (sent < due && open.size < MAX_OUTSTANDING) {
      const sentAt = now();
      const publish = api
        .publish({ type: 'bench.latency', data: eventData(sent++, sentAt) })
        .then(() => accepted.push([sentAt - started, now() - sentAt]), () => failures++)
        .finally(() => open.delete(publish));
      open.add(publish);
    }
    await sleep(1);
  }
  const sendSeconds = (now() - started) / 1000;
  await Promise.all(open);
  const outcome = await receiver.waitFor(TAG, accepted.length, { timeoutMs: 120_000, idleMs: 30_000 });
  system.assertRunning();
  const stats = await receiver.stats(TAG);
  const acceptMs = accepted.map(([, ms]) => ms).sort((a, b) => a - b);
  return {
    rate,
    achievedRate: sent / sendSeconds,
    sent,
    accepted: acceptMs.length,
    delivered: stats.unique,
    failures,
    outcome,
    ...stats.latency,
    acceptP50: percentile(acceptMs, 50),
    acceptP99: percentile(acceptMs, 99),
    acceptTimeline: perSecondMax(accepted),
  };
}

module.exports = { setupLatency, runLatency };
