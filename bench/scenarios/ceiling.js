'use strict';
// The ceiling: the same receiver and the same concurrency, driven by a bare undici loop that signs
// each request (Standard Webhooks HMAC) and POSTs it from memory — no queue, no storage.
const { Agent } = require('undici');
const { inParallel } = require('../api.js');
const { now } = require('../clock.js');
const { eventData, secretKey, webhookBody, webhookHeaders } = require('../webhook.js');
const { rates } = require('./throughput.js');

async function runCeiling({ receiver }, setup, n, concurrency) {
  const tag = `ceil-${setup.tag}`;
  receiver.reset(tag);
  const key = secretKey(setup.secret);
  const timestamp = new Date().toISOString();
  const sentAt = now(); // same body size as the events Hookledger delivers
  const targets = Array.from({ length: setup.endpoints }, (_, k) => new URL(receiver.url(tag, k)));
  const messages = Array.from({ length: n }, (_, i) => {
    const id = `msg_ceiling_${i}`;
    return { id, body: webhookBody(id, `bench.${setup.tag}.e${i % setup.endpoints}`, timestamp, eventData(i, sentAt)) };
  });
  // As the dispatcher's sender: keep-alive pools per origin, no pipelining, a connection per request in flight.
  const agent = new Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 10_000 });
  let failures = 0;
  const started = now();
  await inParallel(n, concurrency, async (i) => {
    const { id, body } = messages[i];
    const target = targets[i % setup.endpoints];
    const headers = { 'content-type': 'application/json', 'user-agent': 'Hookledger/bench', ...webhookHeaders(key, id, body) };
    const response = await agent.request({ origin: target.origin, path: target.pathname, method: 'POST', headers, body, headersTimeout: 15_000, bodyTimeout: 15_000 });
    await response.body.text();
    if (response.statusCode !== 200) failures++;
  });
  await receiver.waitFor(tag, n, { timeoutMs: 30_000, idleMs: 10_000 });
  await agent.close();
  return { ...rates(await receiver.stats(tag), started, n), failures, concurrency };
}

module.exports = { runCeiling };
