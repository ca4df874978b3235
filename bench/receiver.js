'use strict';
// The loopback receiver, a process of its own (forked by receiver-client.js) so that timing and
// answering never wait on the bench driver's event loop. It listens on `count` ports from `port`
// (one origin per endpoint, as real customers have), answers 200 at once, and keeps per-tag
// statistics on its own clock. Paths are /<tag>/<endpoint>; a tag is one scenario.
const http = require('node:http');
const { now } = require('./clock.js');

const tags = new Map();
const earlier = new Map(); // per tag, the counts of runs since reset, for the final ledger check
const waiters = new Set();

function tagOf(name) {
  let tag = tags.get(name);
  if (!tag) tags.set(name, (tag = { total: 0, seen: new Set(), unsigned: 0, arrivals: [], latencies: [], sent: [], seqs: [] }));
  return tag;
}

function onRequest(req, res) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const arrived = now();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
    const [, name = '', endpoint = ''] = req.url.split('/');
    const tag = tagOf(name);
    const id = req.headers['webhook-id'];
    tag.total++;
    tag.seen.add(`${endpoint}/${id}`); // the same message to two endpoints is two deliveries
    if (!id || !req.headers['webhook-signature'] || !req.headers['webhook-timestamp']) tag.unsigned++;
    tag.arrivals.push(arrived);
    if (name.startsWith('lat')) {
      const { sent_at: sentAt, seq } = JSON.parse(Buffer.concat(chunks).toString('utf8')).data;
      tag.latencies.push(arrived - sentAt);
      tag.sent.push(sentAt);
      tag.seqs.push(seq);
    }
    for (const waiter of waiters) waiter.check();
  });
}

/** Per second of send time: [events, p50 ms, max ms] — shows warm-up transients and stalls. */
function timeline(tag) {
  const start = Math.min(...tag.sent);
  const seconds = [];
  tag.sent.forEach((sentAt, i) => (seconds[Math.floor((sentAt - start) / 1000)] ??= []).push(tag.latencies[i]));
  return [...seconds].map((values = []) => {
    values.sort((a, b) => a - b);
    return [values.length, Math.round(percentile(values, 50) ?? 0), Math.round(values[values.length - 1] ?? 0)];
  });
}

const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

function stats(name) {
  const tag = tagOf(name);
  const arrivals = [...tag.arrivals].sort((a, b) => a - b);
  const latencies = [...tag.latencies].sort((a, b) => a - b);
  return {
    total: tag.total,
    unique: tag.seen.size,
    unsigned: tag.unsigned,
    first: arrivals[0] ?? null,
    last: arrivals[arrivals.length - 1] ?? null,
    p10: percentile(arrivals, 10),
    p90: percentile(arrivals, 90),
    latency: latencies.length === 0 ? null : {
      count: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies[latencies.length - 1],
      timeline: timeline(tag),
    },
  };
}

/** Answers once `count` distinct deliveries arrived for the tag, or nothing arrived for idleMs, or timeoutMs passed. */
function wait({ id, tag: name, count, timeoutMs, idleMs }) {
  const tag = tagOf(name);
  let lastTotal = tag.total;
  let lastChange = now();
  const waiter = {
    check() {
      if (tag.seen.size >= count) finish('complete');
    },
  };
  const idle = setInterval(() => {
    if (tag.total !== lastTotal) [lastTotal, lastChange] = [tag.total, now()];
    else if (now() - lastChange > idleMs) finish('stalled');
  }, 250);
  const timer = setTimeout(() => finish('timeout'), timeoutMs);
  function finish(outcome) {
    clearInterval(idle);
    clearTimeout(timer);
    waiters.delete(waiter);
    process.send({ id, outcome });
  }
  waiters.add(waiter);
  waiter.check();
}

function reset(name) {
  const tag = tags.get(name);
  if (!tag) return;
  const before = earlier.get(name) ?? { total: 0, unique: 0 };
  earlier.set(name, { total: before.total + tag.total, unique: before.unique + tag.seen.size });
  tags.delete(name);
}

/** [data.seq, sent_at, latency ms] of every delivery of a latency tag, in arrival order. */
function samples(name) {
  const tag = tagOf(name);
  return tag.sent.map((sentAt, i) => [tag.seqs[i], sentAt, tag.latencies[i]]);
}

/** Deliveries per tag over the receiver's life (message ids never repeat across runs). */
function totals() {
  for (const name of [...tags.keys()]) reset(name);
  return Object.fromEntries(earlier);
}

const servers = [];
process.on('message', (message) => {
  if (message.op === 'reset') reset(message.tag);
  if (message.op === 'stats') process.send({ id: message.id, stats: stats(message.tag) });
  if (message.op === 'totals') process.send({ id: message.id, totals: totals() });
  if (message.op === 'samples') process.send({ id: message.id, samples: samples(message.tag) });
  if (message.op === 'wait') wait(message);
  if (message.op === 'close') {
    for (const server of servers) server.closeAllConnections();
    Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))).then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0)); // the driver died: do not linger

const [port, count] = [Number(process.env.BENCH_RECEIVER_PORT), Number(process.env.BENCH_RECEIVER_PORTS)];
let listening = 0;
for (let i = 0; i < count; i++) {
  const server = http.createServer({ keepAliveTimeout: 60_000, requestTimeout: 30_000 }, onRequest);
  server.on('error', (error) => {
    process.send({ error: `receiver cannot listen on 127.0.0.1:${port + i}: ${error.message}` });
    process.exit(1);
  });
  server.listen(port + i, '127.0.0.1', () => {
    if (++listening === count) process.send({ ready: true });
  });
  servers.push(server);
}
