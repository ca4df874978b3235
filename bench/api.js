'use strict';
// The bench's client of Hookledger's REST API: keep-alive undici pool, JSON in and out.
const { Pool } = require('undici');

class Api {
  constructor(baseUrl, adminKey, connections = 64) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    this.authorization = `Bearer ${adminKey}`;
  }

  async request(method, path, body, expected) {
    const response = await this.pool.request({
      method,
      path,
      headers: { authorization: this.authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== expected) throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }

  createEndpoint(url, eventTypes, secret) {
    return this.request('POST', '/v1/endpoints', { url, event_types: eventTypes, secret, description: 'hookledger bench' }, 201);
  }

  publish(event) {
    return this.request('POST', '/v1/events', event, 202);
  }

  publishBatch(events) {
    return this.request('POST', '/v1/events/batch', { events }, 202);
  }

  close() {
    return this.pool.close();
  }
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` at once. */
async function inParallel(count, concurrency, work) {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

module.exports = { Api, inParallel };
