'use strict';
// Fills the event store with N events of realistic shape, for the "cost as the store grows"
// bench. Only events: they go through the store's own append function (hl_append_events, which
// checks versions and chains the hashes), generated inside Postgres (no client round trip per
// row), and every projection is then rebuilt from them with `projections:rebuild` — so the filled
// rows are whatever the projectors make of the events, and cannot drift from them. (They did
// when this script wrote the rows itself: deliveries.version = 4 on three-event streams, and
// retrying a filled delivery failed with HL409.)
//
// Each generated message has one delivery with one attempt: MessageReceived, DeliveryScheduled,
// DeliveryAttempted and then DeliverySucceeded (49 in 50) or DeliveryFailed after a 500 (1 in 50,
// as if its endpoint had a one-attempt schedule), 4 events. Deliveries are spread over the given
// endpoints. The store stamps recorded_at itself, so everything filled is dated at the fill;
// the payloads' timestamps still spread over the last 30 days.
//
//   node bench/fill-store.js postgres://postgres@127.0.0.1:5432/hookledger_bench 10000000 ep_a,ep_b
const { execFile } = require('node:child_process');
const path = require('node:path');
const { promisify } = require('node:util');
const { Client } = require('pg');

const CHUNK = 250_000; // messages per transaction (1 M events)
const GROUP = 250; // messages per hl_append_events call (1,000 events, 500 new streams)
const REBUILD_CLI = path.join(__dirname, '..', 'dist', 'cli', 'rebuild-projections.js');

async function fillStore(databaseUrl, { events, endpointIds, log = console.log }) {
  if (endpointIds.length === 0) throw new Error('fillStore needs at least one endpoint id');
  const messages = Math.ceil(events / 4);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const started = Date.now();
  try {
    await client.query(`SET synchronous_commit = off`);
    for (let from = 1; from <= messages; from += CHUNK) {
      const to = Math.min(messages, from + CHUNK - 1);
      await client.query('BEGIN');
      await fillChunk(client, from, to, endpointIds);
      await client.query('COMMIT');
      log(`fill: ${to * 4} / ${messages * 4} events (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    await client.query('ANALYZE events, streams');
  } finally {
    await client.end();
  }
  await rebuildProjections(databaseUrl, log);
  const analyzer = new Client({ connectionString: databaseUrl });
  await analyzer.connect();
  await analyzer.query('ANALYZE').finally(() => analyzer.end());
  return { events: messages * 4, messages, seconds: (Date.now() - started) / 1000 };
}

/** Every projection from the store, by the same CLI an operator runs (it may run beside the live bench system). */
async function rebuildProjections(databaseUrl, log) {
  const env = { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: process.env.NODE_ENV ?? 'development' };
  const { stdout } = await promisify(execFile)(process.execPath, [REBUILD_CLI], { env, maxBuffer: 64 * 1024 * 1024 });
  for (const line of stdout.split('\n')) if (line.includes('projection rebuilt')) log(`fill: ${line}`);
}

async function fillChunk(client, from, to, endpointIds) {
  // One row per generated message: its ids, endpoint, time and payload.
  const source = `
    SELECT g,
           'msg_fill' || lpad(g::text, 10, '0') AS msg_id,
           'dlv_fill' || lpad(g::text, 10, '0') AS dlv_id,
           'att_fill' || lpad(g::text, 10, '0') AS att_id,
           ($3::text[])[1 + g % array_length($3::text[], 1)] AS endpoint_id,
           date_trunc('milliseconds', now() - make_interval(secs => (g % 2592000))) AS at,
           jsonb_build_object('order_id', 'ord_' || g, 'amount', g % 100000, 'currency', 'usd') AS data,
           abs(hashint8(g)) % 50 = 0 AS failed, -- not g % 50: that would put every failure on a few endpoints
           CASE WHEN abs(hashint8(g)) % 50 = 0 THEN 500 ELSE 200 END AS code,
           CASE WHEN abs(hashint8(g)) % 50 = 0 THEN 'http_5xx' ELSE 'http_2xx' END AS outcome
      FROM generate_series($1::bigint, $2::bigint) AS g`;
  // The four events of each message, in stream order (k), as the apps append them today; every
  // row is the default tenant's, and message streams are named per tenant (messageStreamId).
  // A stream is opened (expected version 0) by its first event: k 0 for the message, 1 for the delivery.
  await client.query(`
    WITH s AS (${source}),
    ev AS (
      SELECT (g - $1) / ${GROUP} AS grp, g, k, sid, stype, type, data FROM (
        SELECT g, 0 AS k, 'message-default/' || msg_id AS sid, 'message' AS stype, 'MessageReceived' AS type,
               jsonb_build_object('id', msg_id, 'type', 'fill.order.paid', 'timestamp', at, 'data', data, 'tenant_id', 'default', 'channels', NULL) AS data FROM s
        UNION ALL
        SELECT g, 1, 'delivery-' || dlv_id, 'delivery', 'DeliveryScheduled',
               jsonb_build_object('delivery_id', dlv_id, 'message_id', msg_id, 'endpoint_id', endpoint_id, 'event_type', 'fill.order.paid', 'tenant_id', 'default') FROM s
        UNION ALL
        SELECT g, 2, 'delivery-' || dlv_id, 'delivery', 'DeliveryAttempted',
               jsonb_build_object('attempt_id', att_id, 'attempt', 1, 'trigger', 'scheduled', 'url', 'https://receiver.example/hooks',
                                  'started_at', at, 'duration_ms', 12, 'status_code', code, 'outcome', outcome, 'error', NULL,
                                  'response_body', CASE WHEN failed THEN 'oops' ELSE 'ok' END) FROM s
        UNION ALL
        SELECT g, 3, 'delivery-' || dlv_id, 'delivery', CASE WHEN failed THEN 'DeliveryFailed' ELSE 'DeliverySucceeded' END,
               CASE WHEN failed THEN jsonb_build_object('attempts', 1, 'reason', 'exhausted') ELSE jsonb_build_object('attempt', 1, 'status_code', 200) END FROM s
      ) rows
    ),
    groups AS (
      SELECT grp,
             array_agg(sid ORDER BY g, k) FILTER (WHERE k < 2) AS stream_ids,
             array_agg(stype ORDER BY g, k) FILTER (WHERE k < 2) AS stream_types,
             array_agg(0 ORDER BY g, k) FILTER (WHERE k < 2) AS expected,
             array_agg(sid ORDER BY g, k) AS event_streams,
             array_agg(type ORDER BY g, k) AS types,
             array_agg(1::smallint ORDER BY g, k) AS schemas,
             array_agg(data ORDER BY g, k) AS datas,
             array_agg('{}'::jsonb ORDER BY g, k) AS metas
        FROM ev GROUP BY grp
    )
    SELECT count(*) FROM groups
      CROSS JOIN LATERAL hl_append_events(stream_ids, stream_types, expected, event_streams, types, schemas, datas, metas)`, [from, to, endpointIds]);
}

module.exports = { fillStore };

if (require.main === module) {
  const [url, events = '10000000', endpoints = 'ep_fill'] = process.argv.slice(2);
  if (!url) {
    console.error('usage: node bench/fill-store.js <database url> [events] [endpoint ids, comma-separated]');
    process.exit(2);
  }
  fillStore(url, { events: Number(events), endpointIds: endpoints.split(',') })
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
