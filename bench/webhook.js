'use strict';
// The Standard Webhooks request, as libs/domain builds it (webhookBody, webhookHeaders), in plain
// JS so the ceiling loop needs no build: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
const crypto = require('node:crypto');

/** A `whsec_` secret given to every bench endpoint, so the ceiling loop signs with the same key size. */
const newSecret = () => `whsec_${crypto.randomBytes(32).toString('base64')}`;

const secretKey = (secret) => Buffer.from(secret.slice('whsec_'.length), 'base64');

function webhookBody(id, type, timestamp, data) {
  return JSON.stringify({ id, type, timestamp, data });
}

function webhookHeaders(key, id, body) {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

/** The payload of every bench event: a realistic small invoice, plus when it was sent. */
const eventData = (seq, sentAt) => ({ invoice_id: `in_${seq}`, customer: 'cus_bench', amount: 1200, currency: 'usd', seq, sent_at: sentAt });

module.exports = { newSecret, secretKey, webhookBody, webhookHeaders, eventData };
