'use strict';
// Sustained end-to-end throughput: N events through POST /v1/events/batch, timed from the first
// publish to the N-th signed POST the receiver got. Endpoint k subscribes to `bench.<tag>.e<k>`
// only, so event i reaches exactly endpoint i mod endpoints.
const { inParallel } = require('../api.js');
const { now, sleep } = require('../clock.js');
const { pgCounters, perEvent } = require('../pg-stats.js');
const { BenchSystem } = require('../system.js');
const { eventData, newSecret } = require('../webhook.js');

async function setupThroughput({ api, receiver }, tag, endpoints) {
  const secret = newSecret();
  const ids = [];
  await inParallel(endpoints, 8, async (k) => {
    ids[k] = (await api.createEndpoint(receiver.url(tag, k), [`bench.${tag}.e${k}`], secret)).id;
  });
  return { tag, endpoints, secret, ids };
}

function batchesOf(setup, n, size, sentAt) {
  const batches = [];
  for (let start = 0; start < n; start += size) {
    const batch = [];
    for (let i = start; i < Math.min(n, start + size); i++) batch.push({ type: `bench.${setup.tag}.e${i % setup.endpoints}`, data: eventData(i, sentAt) });
    batches.push(batch);
  }
  return batches;
}

/** Rate figures from the receiver's statistics of one run that started at `started`. */
function rates(stats, started, n) {
  const seconds = (stats.last - started) / 1000;
  return {
    n,
    delivered: stats.unique,
    duplicates: stats.total - stats.unique,
    unsigned: stats.unsigned,
    seconds,
    rate: stats.unique / seconds,
    // The middle 80 % of arrivals: the pipeline's rate once filled, before it drains.
    steadyRate: stats.p90 > stats.p10 ? (0.8 * stats.unique) / ((stats.p90 - stats.p10) / 1000) : null,
  };
}

async function runThroughput({ api, receiver, system, options }, setup, n) {
  await system.quiesce();
  receiver.reset(setup.tag);
  const batches = batchesOf(setup, n, options.publishBatch, now());
  const pgBefore = await pgCounters(system.db);
  const cpuBefore = system.cpuSnapshot();
  const started = now();
  await inParallel(batches.length, options.publishClients, (b) => api.publishBatch(batches[b]));
  const published = now();
  const outcome = await receiver.waitFor(setup.tag, n, { timeoutMs: 120_000 + n * 20, idleMs: 60_000 });
  system.assertRunning();
  await system.quiesce(); // the last acks and outcome events are part of the cost
  const cpuMsPerEvent = BenchSystem.cpuPerEvent(cpuBefore, system.cpuSnapshot(), n);
  await sleep(1500); // Postgres backends flush their statistics about once a second
  const postgres = perEvent(pgBefore, await pgCounters(system.db), n);
  const stats = await receiver.stats(setup.tag);
  return { ...rates(stats, started, n), outcome, publishRate: n / ((published - started) / 1000), cpuMsPerEvent, postgres };
}

module.exports = { setupThroughput, runThroughput, rates };
