'use strict';
// Cost as the store grows: throughput to one endpoint and `GET /v1/deliveries` filtered by
// endpoint and status, first on the store as the other scenarios left it, then again after
// `fillStore` has written `--fill` events (default 10 million) of realistic shape behind it.
// The filled deliveries belong to the bench endpoint itself and to `--fill-endpoints` others, so
// the measured endpoint's own list grows too (1 in 50 of them failed, the rest succeeded).
const { inParallel } = require('../api.js');
const { now } = require('../clock.js');
const { fillStore } = require('../fill-store.js');
const { setupThroughput } = require('./throughput.js');

const QUERY_COUNT = 400;
const QUERY_STATUSES = ['succeeded', 'failed'];

const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

async function setupGrowth(ctx) {
  const setup = await setupThroughput(ctx, 'grow', 1);
  const others = [];
  await inParallel(ctx.options.fillEndpoints, 8, async (k) => {
    // Never matched by the bench's events: they only own filled history.
    const created = await ctx.api.createEndpoint(ctx.receiver.url('grow-fill', k % ctx.options.spread), [`bench.fill.none${k}`]);
    others.push(created.id);
  });
  return { ...setup, endpointIds: [...setup.ids, ...others] };
}

/**
 * `count` sequential requests for the first page (limit 50) of one endpoint's deliveries in one
 * status, then the second page via its cursor, cycling over endpoints and statuses; client-side
 * times on a keep-alive connection over loopback.
 */
async function measureQueries(ctx, endpointIds, count = QUERY_COUNT) {
  const times = [];
  let rows = 0;
  for (let i = 0; i < count; i++) {
    const endpointId = endpointIds[i % endpointIds.length];
    const status = QUERY_STATUSES[Math.floor(i / endpointIds.length) % QUERY_STATUSES.length];
    const started = now();
    const page = await ctx.api.request('GET', `/v1/deliveries?endpoint_id=${endpointId}&status=${status}&limit=50`, undefined, 200);
    times.push(now() - started);
    rows += page.data.length;
    if (page.next_cursor) {
      const again = now();
      const next = await ctx.api.request('GET', `/v1/deliveries?endpoint_id=${endpointId}&status=${status}&limit=50&cursor=${page.next_cursor}`, undefined, 200);
      times.push(now() - again);
      rows += next.data.length;
    }
  }
  times.sort((a, b) => a - b);
  return { requests: times.length, rowsPerRequest: rows / times.length, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times.at(-1) };
}

async function storeSize(db) {
  const { rows } = await db.query(`SELECT (SELECT count(*) FROM events)::bigint AS events, pg_database_size(current_database())::bigint AS bytes`);
  return { events: Number(rows[0].events), gb: Number(rows[0].bytes) / 2 ** 30 };
}

module.exports = { setupGrowth, measureQueries, storeSize, fillStore };
