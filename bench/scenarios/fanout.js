'use strict';
// Fan-out: one event to `count` endpoints (spread over the receiver's ports, i.e. origins), timed
// from the publish request to the last of the signed POSTs.
const { inParallel } = require('../api.js');
const { now } = require('../clock.js');
const { eventData, newSecret } = require('../webhook.js');

const TAG = 'fan';

async function setupFanout({ api, receiver }, count) {
  const secret = newSecret();
  await inParallel(count, 8, (k) => api.createEndpoint(receiver.url(TAG, k), ['bench.fanout'], secret));
  return { count };
}

async function runFanout({ api, receiver, system }, setup, seq) {
  await system.quiesce();
  receiver.reset(TAG);
  const sentAt = now();
  await api.publish({ type: 'bench.fanout', data: eventData(seq, sentAt) });
  const accepted = now();
  const outcome = await receiver.waitFor(TAG, setup.count, { timeoutMs: 120_000, idleMs: 30_000 });
  const stats = await receiver.stats(TAG);
  return {
    endpoints: setup.count,
    delivered: stats.unique,
    outcome,
    acceptMs: accepted - sentAt,
    firstMs: stats.first - sentAt,
    allMs: stats.last - sentAt,
  };
}

module.exports = { setupFanout, runFanout };
