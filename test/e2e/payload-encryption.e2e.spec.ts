import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

const run = promisify(execFile);

/** A payload text nobody else writes: what must not be found anywhere once sealed or erased. */
const distinctive = (label: string) => `${label}-${randomBytes(9).toString('hex')}`;

async function onDatabase<T>(system: TestSystem, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: system.database.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Where `text` is in the store, the messages projection or the whole database's rows (as a thief of the database would look). */
function whereIs(system: TestSystem, text: string): Promise<string[]> {
  return onDatabase(system, async (client) => {
    const tables: { name: string }[] = (await client.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows;
    const found: string[] = [];
    for (const { name } of tables) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${name}" t WHERE t::text LIKE '%' || $1 || '%'`, [text]);
      if (rows[0].n > 0) found.push(name);
    }
    return found;
  });
}

/** Every stream whose hash chain or head does not verify, with the first bad version. */
const brokenChains = (system: TestSystem) =>
  onDatabase(system, async (client) => (await client.query(`SELECT stream_id, hl_verify_stream(stream_id) AS broken FROM streams WHERE hl_verify_stream(stream_id) IS NOT NULL`)).rows);

async function pgDump(system: TestSystem): Promise<string | null> {
  try {
    return (await run('pg_dump', ['--no-owner', system.database.url], { maxBuffer: 256 * 1024 * 1024 })).stdout;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null; // no pg_dump here: the table scan stands in
    throw error;
  }
}

describe('payloads sealed with tenant data keys, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
    for (const id of ['alpha', 'beta']) expect((await system.request('POST', '/v1/tenants', { body: { id, name: id } })).status).toBe(201);
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  async function createEndpoint(tenant: string, path: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), tenant_id: tenant, event_types: ['order.*'], ...extra } });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function publish(tenant: string, data: Record<string, unknown>): Promise<string> {
    const accepted = await system.request('POST', '/v1/events', { body: { type: 'order.created', data, tenant_id: tenant } });
    expect(accepted.status).toBe(202);
    return accepted.body.id;
  }

  const deliveryOf = (tenant: string, eventId: string, endpointId: string) =>
    system.request('GET', `/v1/deliveries?event_id=${eventId}&endpoint_id=${endpointId}&tenant_id=${tenant}`).then((answer) => answer.body.data[0] as { id: string; status: string } | undefined);

  it('delivers exactly the published bytes, while the ledger and messages hold only ciphertext', async () => {
    const secret = distinctive('plain-sight');
    await createEndpoint('alpha', '/exact');
    const eventId = await publish('alpha', { note: secret, amount: 1.5, nested: { z: 1, a: [true, null] } });

    await receiver.waitForCount('/exact', 1);
    const body = JSON.parse(receiver.received('/exact')[0].body);
    expect(body).toMatchObject({ id: eventId, data: { note: secret, amount: 1.5, nested: { z: 1, a: [true, null] } } });
    expect(JSON.stringify(body.data)).toBe(`{"note":"${secret}","amount":1.5,"nested":{"z":1,"a":[true,null]}}`);

    expect((await system.request('GET', `/v1/events/${eventId}?tenant_id=alpha`)).body).toMatchObject({ id: eventId, data: { note: secret } });
    const stored = await onDatabase(system, async (client) => (await client.query(
      `SELECT e.schema_version, e.data->>'sealed_payload' LIKE 'hlp1.%' AS sealed, m.data IS NULL AS no_plain_row, m.sealed_data LIKE 'hlp1.%' AS sealed_row
         FROM events e JOIN messages m ON m.tenant_id = 'alpha' AND m.id = $1 WHERE e.stream_id = $2`, [eventId, `message-alpha/${eventId}`])).rows);
    expect(stored).toEqual([{ schema_version: 5, sealed: true, no_plain_row: true, sealed_row: true }]);
    expect(await whereIs(system, secret)).toEqual([]);
  });

  it("erasure: the tenant's payloads answer data null with purged_at, its pending deliveries fail as payload_purged, no text is left, the other tenant's stay, the ledger verifies", async () => {
    const alphaText = distinctive('alpha-erased');
    const betaText = distinctive('beta-kept');
    const alphaOk = await createEndpoint('alpha', '/alpha/ok');
    // Fails until the erasure, so its delivery is still retrying when the key goes.
    receiver.answer('/alpha/down', () => ({ status: 503, body: 'down' }));
    const alphaDown = await createEndpoint('alpha', '/alpha/down', { retry_schedule: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] });
    await createEndpoint('beta', '/beta/ok');
    const alphaEvent = await publish('alpha', { text: alphaText });
    const betaEvent = await publish('beta', { text: betaText });
    await receiver.waitForCount('/alpha/ok', 1);
    await receiver.waitForCount('/beta/ok', 1);
    await receiver.waitFor((requests) => requests.some((request) => request.path === '/alpha/down' && request.body.includes(alphaText)), 20_000, 'a failed attempt to /alpha/down');

    const erased = await system.request('POST', '/v1/tenants/alpha/erase', { body: { reason: 'GDPR art. 17 request #1' } });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ tenant_id: 'alpha', erased_at: expect.any(String), keys_destroyed: expect.any(Number) });
    expect(erased.body.keys_destroyed).toBeGreaterThanOrEqual(1);

    const alphaRead = (await system.request('GET', `/v1/events/${alphaEvent}?tenant_id=alpha`)).body;
    expect(alphaRead).toMatchObject({ id: alphaEvent, data: null, purged_at: erased.body.erased_at });
    const listed = (await system.request('GET', '/v1/events?tenant_id=alpha')).body.data as { id: string; data: unknown; purged_at?: string }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((event) => event.data === null && typeof event.purged_at === 'string')).toBe(true);
    expect((await system.request('GET', `/v1/events/${betaEvent}?tenant_id=beta`)).body).toMatchObject({ data: { text: betaText } });
    expect((await system.request('GET', '/v1/tenants/alpha')).body).toMatchObject({ id: 'alpha', erased_at: erased.body.erased_at });

    // The retrying delivery comes due again, finds no payload, and ends for good.
    const delivery = await eventually(async () => {
      const found = await deliveryOf('alpha', alphaEvent, alphaDown);
      return found?.status === 'failed' ? found : undefined;
    }, 'the retrying delivery to fail');
    const failed = await onDatabase(system, async (client) => (await client.query(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'DeliveryFailed'`, [`delivery-${delivery.id}`])).rows);
    expect(failed).toEqual([{ data: expect.objectContaining({ reason: 'payload_purged' }) }]);
    expect((await deliveryOf('alpha', alphaEvent, alphaOk))?.status).toBe('succeeded');

    // The erasure is an event on the tenant's stream, and nothing broke a chain.
    const recorded = await onDatabase(system, async (client) => (await client.query(`SELECT data FROM events WHERE stream_id = 'tenant-alpha' AND type = 'TenantErased'`)).rows);
    expect(recorded).toEqual([{ data: expect.objectContaining({ id: 'alpha', reason: 'GDPR art. 17 request #1', keys_destroyed: erased.body.keys_destroyed }) }]);
    expect(await brokenChains(system)).toEqual([]);

    // Nowhere in the database, nor in a dump of it: the receiver's copy is the only one left.
    expect(await whereIs(system, alphaText)).toEqual([]);
    const dump = await pgDump(system);
    if (dump !== null) {
      expect(dump).toContain('COPY public.events');
      expect(dump).toContain('hlp1.');
      expect(dump).not.toContain(alphaText);
      expect(dump).not.toContain(betaText);
    }

    // The tenant goes on: what it publishes next is sealed with a new key and delivered.
    const afterText = distinctive('alpha-after');
    const afterEvent = await publish('alpha', { text: afterText });
    await receiver.waitFor((requests) => requests.some((request) => request.path === '/alpha/ok' && request.body.includes(afterText)), 20_000, 'the post-erasure event');
    expect((await system.request('GET', `/v1/events/${afterEvent}?tenant_id=alpha`)).body).toMatchObject({ data: { text: afterText } });
  });

  it('refuses an erasure of a tenant that never existed (404), a bad body (400), and callers that are not admins across tenants (403)', async () => {
    const unknown = await system.request('POST', '/v1/tenants/nobody/erase', { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const bad = await system.request('POST', '/v1/tenants/beta/erase', { body: { reason: 42 } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/reason/);
    const created = await system.request('POST', '/v1/api-keys', { body: { role: 'admin', tenant_id: 'beta', name: 'beta admin' } });
    expect(created.status).toBe(201);
    expect((await system.request('POST', '/v1/tenants/beta/erase', { body: {}, key: created.body.key })).status).toBe(403);
  });

  it('validates payload_retention_days on create and PATCH and shows it on the tenant', async () => {
    for (const value of [0, -3, 2.5, 'seven']) {
      const refused = await system.request('POST', '/v1/tenants', { body: { name: 'x', payload_retention_days: value } });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(/payload_retention_days/);
    }
    const created = await system.request('POST', '/v1/tenants', { body: { id: 'gamma', name: 'Gamma', payload_retention_days: 30 } });
    expect(created.body).toMatchObject({ id: 'gamma', payload_retention_days: 30, erased_at: null });
    expect((await system.request('PATCH', '/v1/tenants/gamma', { body: { payload_retention_days: 7 } })).body).toMatchObject({ payload_retention_days: 7 });
    expect((await system.request('PATCH', '/v1/tenants/gamma', { body: { name: 'Gamma Ltd' } })).body).toMatchObject({ payload_retention_days: 7 });
    expect((await system.request('PATCH', '/v1/tenants/gamma', { body: { payload_retention_days: null } })).body).toMatchObject({ payload_retention_days: null });
  });
});

describe('payload retention with short days, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // A retention day of 2 s, looked at every 200 ms: a payload of a tenant keeping one day is purged 2–4 s after it came in (its day ends, then one more day).
    system = await TestSystem.start({ env: { HOOKS_RETENTION_DAY: '2s', HOOKS_RETENTION_INTERVAL: '200ms' } });
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'brief', name: 'Brief', payload_retention_days: 1 } })).status).toBe(201);
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'keeper', name: 'Keeper' } })).status).toBe(201);
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it("purges a tenant's payloads past its retention (data null, purged_at), keeps the payloads of days still within it and of a tenant that keeps them, and the ledger verifies", async () => {
    const briefText = distinctive('brief');
    const keeperText = distinctive('keeper');
    for (const tenant of ['brief', 'keeper']) {
      expect((await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(`/${tenant}`), tenant_id: tenant } })).status).toBe(201);
    }
    const publish = async (tenant: string, text: string) =>
      (await system.request('POST', '/v1/events', { body: { type: 'note.taken', data: { text }, tenant_id: tenant } })).body.id as string;
    const briefEvent = await publish('brief', briefText);
    const keeperEvent = await publish('keeper', keeperText);
    await receiver.waitForCount('/brief', 1);
    await receiver.waitForCount('/keeper', 1);
    expect(JSON.parse(receiver.received('/brief')[0].body).data).toEqual({ text: briefText });

    const purged = await eventually(async () => {
      const read = (await system.request('GET', `/v1/events/${briefEvent}?tenant_id=brief`)).body;
      return read.data === null ? read : undefined;
    }, 'the brief tenant\'s payload to be purged');
    expect(purged).toMatchObject({ id: briefEvent, data: null, purged_at: expect.any(String) });
    expect((await system.request('GET', `/v1/events/${keeperEvent}?tenant_id=keeper`)).body).toMatchObject({ data: { text: keeperText } });
    expect(await whereIs(system, briefText)).toEqual([]);

    // Each run destroyed only keys of days that had ended a day before it; the day the run fell in, and the one before, kept theirs.
    const runs = await onDatabase(system, async (client) => (await client.query(
      `SELECT e.data->>'before' AS before, e.recorded_at, k.period_start, k.destroyed_for
         FROM events e CROSS JOIN LATERAL jsonb_array_elements_text(e.data->'key_ids') AS id(key_id)
         JOIN tenant_data_keys k ON k.id = id.key_id
        WHERE e.stream_id = 'tenant-brief' AND e.type = 'TenantPayloadsPurged'`)).rows as { before: string; recorded_at: Date; period_start: Date; destroyed_for: string }[]);
    expect(runs.length).toBeGreaterThan(0);
    for (const key of runs) {
      expect(key.destroyed_for).toBe('retention');
      expect(key.period_start.getTime() + 2 * 2000).toBeLessThanOrEqual(key.recorded_at.getTime());
      expect(key.period_start.getTime()).toBeLessThan(new Date(key.before).getTime());
    }
    const [{ live }] = await onDatabase(system, async (client) => (await client.query(
      `SELECT count(*)::int AS live FROM tenant_data_keys WHERE tenant_id = 'keeper' AND destroyed_at IS NULL`)).rows);
    expect(live).toBeGreaterThan(0);
    expect(await brokenChains(system)).toEqual([]);
  });
});
