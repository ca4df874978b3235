'use strict';
// Fills the event store and its projections with N events of realistic shape, generated inside
// Postgres (INSERT … SELECT over generate_series: no client round trip per row), for the
// "cost as the store grows" bench. Each generated message has one delivery with one attempt:
// MessageReceived, DeliveryScheduled, DeliveryAttempted and then DeliverySucceeded (49 in 50) or
// DeliveryFailed after a 500 (1 in 50, as if its endpoint had a one-attempt schedule), 4 events,
// with valid per-stream hash chains and the matching messages, deliveries, attempts and streams
// rows. Deliveries are spread over the given endpoints, and dated over the last 30 days.
//
//   node bench/fill-store.js postgres://postgres@127.0.0.1:5432/hookledger_bench 10000000 ep_a,ep_b
const { Client } = require('pg');

const CHUNK = 250_000; // messages per statement group (1 M events)

async function fillStore(databaseUrl, { events, endpointIds, log = console.log }) {
  if (endpointIds.length === 0) throw new Error('fillStore needs at least one endpoint id');
  const messages = Math.ceil(events / 4);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SET synchronous_commit = off`);
    const started = Date.now();
    for (let from = 1; from <= messages; from += CHUNK) {
      const to = Math.min(messages, from + CHUNK - 1);
      await client.query('BEGIN');
      await fillChunk(client, from, to, endpointIds);
      await client.query('COMMIT');
      log(`fill: ${to * 4} / ${messages * 4} events (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    await client.query('ANALYZE events, streams, messages, deliveries, attempts');
    return { events: messages * 4, messages, seconds: (Date.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

async function fillChunk(client, from, to, endpointIds) {
  const params = [from, to, endpointIds];
  // One row per generated message: its ids, endpoint, time and payload.
  const source = `
    SELECT * FROM (SELECT g,
           'msg_fill' || lpad(g::text, 10, '0') AS msg_id,
           'dlv_fill' || lpad(g::text, 10, '0') AS dlv_id,
           'att_fill' || lpad(g::text, 10, '0') AS att_id,
           ($3::text[])[1 + g % array_length($3::text[], 1)] AS endpoint_id,
           date_trunc('milliseconds', now() - make_interval(secs => (g % 2592000))) AS at,
           jsonb_build_object('order_id', 'ord_' || g, 'amount', g % 100000, 'currency', 'usd') AS data,
           abs(hashint8(g)) % 50 = 0 AS failed, -- not g % 50: that would put every failure on a few endpoints
           CASE WHEN abs(hashint8(g)) % 50 = 0 THEN 500 ELSE 200 END AS code,
           CASE WHEN abs(hashint8(g)) % 50 = 0 THEN 'http_5xx' ELSE 'http_2xx' END AS outcome
      FROM generate_series($1::bigint, $2::bigint) AS g) s0`;

  await client.query(`
    INSERT INTO messages (tenant_id, id, type, data, channels, timestamp, received_at)
    SELECT 'default', msg_id, 'fill.order.paid', data::json, NULL, at, at FROM (${source}) s`, params);

  await client.query(`
    INSERT INTO deliveries (id, message_id, endpoint_id, tenant_id, event_type, status, attempts, last_status_code, delivered_at, version, created_at, updated_at)
    SELECT dlv_id, msg_id, endpoint_id, 'default', 'fill.order.paid', CASE WHEN failed THEN 'failed' ELSE 'succeeded' END, 1, code,
           CASE WHEN failed THEN NULL ELSE at END, 4, at, at FROM (${source}) s`, params);

  await client.query(`
    INSERT INTO attempts (id, delivery_id, endpoint_id, attempt, trigger, url, started_at, duration_ms, status_code, outcome, error, response_body)
    SELECT att_id, dlv_id, endpoint_id, 1, 'scheduled', 'https://receiver.example/hooks', at, 12, code, outcome, NULL,
           CASE WHEN failed THEN 'oops' ELSE 'ok' END FROM (${source}) s`, params);

  // The events with their chains: message streams have one event, delivery streams three. Every
  // row is the default tenant's; message streams are named per tenant (messageStreamId).
  await client.query(`
    WITH s AS (${source}),
    chained AS (
      SELECT s.*, m.h AS m_hash, d1.h AS h1, d2.h AS h2, d3.h AS h3,
             jsonb_build_object('id', msg_id, 'type', 'fill.order.paid', 'timestamp', at, 'data', data, 'tenant_id', 'default', 'channels', NULL) AS m_data,
             jsonb_build_object('delivery_id', dlv_id, 'message_id', msg_id, 'endpoint_id', endpoint_id, 'event_type', 'fill.order.paid', 'tenant_id', 'default') AS d1_data,
             d2.d AS d2_data, d3.t AS d3_type, d3.d AS d3_data
        FROM s
        CROSS JOIN LATERAL (SELECT hl_event_digest(NULL, 'message-default/' || msg_id, 1, 'MessageReceived', 1::smallint,
                              jsonb_build_object('id', msg_id, 'type', 'fill.order.paid', 'timestamp', at, 'data', data, 'tenant_id', 'default', 'channels', NULL), '{}'::jsonb, at) AS h) m
        CROSS JOIN LATERAL (SELECT hl_event_digest(NULL, 'delivery-' || dlv_id, 1, 'DeliveryScheduled', 1::smallint,
                              jsonb_build_object('delivery_id', dlv_id, 'message_id', msg_id, 'endpoint_id', endpoint_id, 'event_type', 'fill.order.paid', 'tenant_id', 'default'), '{}'::jsonb, at) AS h) d1
        CROSS JOIN LATERAL (SELECT jsonb_build_object('attempt_id', att_id, 'attempt', 1, 'trigger', 'scheduled', 'url', 'https://receiver.example/hooks',
                                                      'started_at', at, 'duration_ms', 12, 'status_code', code, 'outcome', outcome, 'error', NULL,
                                                      'response_body', CASE WHEN failed THEN 'oops' ELSE 'ok' END) AS d) d2_body
        CROSS JOIN LATERAL (SELECT d2_body.d, hl_event_digest(d1.h, 'delivery-' || dlv_id, 2, 'DeliveryAttempted', 1::smallint, d2_body.d, '{}'::jsonb, at) AS h) d2
        CROSS JOIN LATERAL (SELECT CASE WHEN failed THEN 'DeliveryFailed' ELSE 'DeliverySucceeded' END AS t,
                                   CASE WHEN failed THEN jsonb_build_object('attempts', 1, 'reason', 'exhausted')
                                        ELSE jsonb_build_object('attempt', 1, 'status_code', 200) END AS d) d3_body
        CROSS JOIN LATERAL (SELECT d3_body.t, d3_body.d, hl_event_digest(d2.h, 'delivery-' || dlv_id, 3, d3_body.t, 1::smallint, d3_body.d, '{}'::jsonb, at) AS h) d3
    ),
    ev AS (
      INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, recorded_at, hash)
      SELECT sid, v, type, 1, data, '{}'::jsonb, at, h FROM (
        SELECT g, 0 AS k, 'message-default/' || msg_id AS sid, 1 AS v, 'MessageReceived' AS type, m_data AS data, at, m_hash AS h FROM chained
        UNION ALL SELECT g, 1, 'delivery-' || dlv_id, 1, 'DeliveryScheduled', d1_data, at, h1 FROM chained
        UNION ALL SELECT g, 2, 'delivery-' || dlv_id, 2, 'DeliveryAttempted', d2_data, at, h2 FROM chained
        UNION ALL SELECT g, 3, 'delivery-' || dlv_id, 3, d3_type, d3_data, at, h3 FROM chained
      ) rows ORDER BY g, k
      RETURNING 1
    )
    INSERT INTO streams (stream_id, type, version, last_hash, created_at, updated_at)
    SELECT 'message-default/' || msg_id, 'message', 1, m_hash, at, at FROM chained
    UNION ALL
    SELECT 'delivery-' || dlv_id, 'delivery', 3, h3, at, at FROM chained`, params);
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
