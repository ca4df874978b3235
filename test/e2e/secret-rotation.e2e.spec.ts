import { createHmac, createPublicKey, verify } from 'node:crypto';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { ReceivedWebhook, TestSystem, WebhookReceiver } from '@hookledger/testing';

describe('secret rotation, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  const typeOf = (path: string) => `rotation${path.replace(/\//g, '.')}`;

  async function createEndpoint(path: string, extra: Record<string, unknown> = {}) {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: [typeOf(path)], ...extra } });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret?: string; public_key?: string };
  }

  async function deliver(path: string): Promise<ReceivedWebhook> {
    const before = receiver.received(path).length;
    expect((await system.request('POST', '/v1/events', { body: { type: typeOf(path), data: { n: before } } })).status).toBe(202);
    await receiver.waitForCount(path, before + 1);
    return receiver.received(path)[before];
  }

  const rotate = (id: string, body: Record<string, unknown> = {}) => system.request('POST', `/v1/endpoints/${id}/secret/rotate`, { body });

  const standardHeaders = (request: ReceivedWebhook) => ({
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
  const verifies = (secret: string, request: ReceivedWebhook): boolean => {
    try {
      new Webhook(secret).verify(request.body, standardHeaders(request));
      return true;
    } catch {
      return false;
    }
  };
  const signatures = (request: ReceivedWebhook) => String(request.headers['webhook-signature']).split(' ').map((entry) => entry.split(','));
  const ed25519Verifies = (publicKey: string, request: ReceivedWebhook, signature: string) => {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.slice(5), 'base64').toString('base64url') }, format: 'jwk' });
    const content = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`;
    return verify(null, Buffer.from(content), key, Buffer.from(signature, 'base64'));
  };

  it('signs with both secrets during the grace period, the new one first, so a receiver holding either verifies', async () => {
    const endpoint = await createEndpoint('/grace');
    const rotated = await rotate(endpoint.id, { grace_period_s: 3600 });
    expect(rotated.status).toBe(200);
    const newSecret: string = rotated.body.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(endpoint.secret);
    expect(rotated.body).toMatchObject({ signature_profile: 'standard', previous: [{ secret: endpoint.secret, expires_at: expect.any(String) }] });
    const expiresIn = new Date(rotated.body.previous[0].expires_at).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);

    const request = await deliver('/grace');
    expect(signatures(request).map(([version]) => version)).toEqual(['v1', 'v1']);
    const content = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`;
    expect(signatures(request)[0][1]).toBe(createHmac('sha256', Buffer.from(newSecret.slice(6), 'base64')).update(content).digest('base64'));
    expect(verifies(endpoint.secret!, request)).toBe(true);
    expect(verifies(newSecret, request)).toBe(true);

    expect((await system.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body).toEqual({
      signature_profile: 'standard', secret: newSecret, previous: [{ secret: endpoint.secret, expires_at: rotated.body.previous[0].expires_at }],
    });
  });

  it('with grace_period_s 0 retires the old secret at once and prunes it; a given secret is used as is', async () => {
    const endpoint = await createEndpoint('/immediate');
    const first = await rotate(endpoint.id, { grace_period_s: 3600 });
    const given = `whsec_${Buffer.from('a secret chosen by the operator').toString('base64')}`;
    const second = await rotate(endpoint.id, { grace_period_s: 0, secret: given });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ signature_profile: 'standard', secret: given, previous: [] });

    const request = await deliver('/immediate');
    expect(signatures(request)).toHaveLength(1);
    expect(verifies(given, request)).toBe(true);
    expect(verifies(first.body.secret, request)).toBe(false);
    expect(verifies(endpoint.secret!, request)).toBe(false);
    expect(await storedKeys(endpoint.id)).toBe(1);
  });

  it('rotates a standard-ed25519 endpoint: a new public key, and a v1a signature per key during the grace period', async () => {
    const endpoint = await createEndpoint('/ed25519', { signature_profile: 'standard-ed25519' });
    const rotated = await rotate(endpoint.id, { grace_period_s: 600 });
    expect(rotated.body).toEqual({
      signature_profile: 'standard-ed25519', public_key: expect.stringMatching(/^whpk_/), previous: [{ public_key: endpoint.public_key, expires_at: expect.any(String) }],
    });
    expect(rotated.body.public_key).not.toBe(endpoint.public_key);

    const request = await deliver('/ed25519');
    const [[newVersion, newSignature], [oldVersion, oldSignature]] = signatures(request);
    expect([newVersion, oldVersion]).toEqual(['v1a', 'v1a']);
    expect(ed25519Verifies(rotated.body.public_key, request, newSignature)).toBe(true);
    expect(ed25519Verifies(endpoint.public_key!, request, oldSignature)).toBe(true);

    const refused = await rotate(endpoint.id, { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'secret' })]);
  });

  it('moves an endpoint from standard to standard-ed25519 by rotation, with the old HMAC signature kept through the grace period', async () => {
    const endpoint = await createEndpoint('/to-ed25519');
    const rotated = await rotate(endpoint.id, { signature_profile: 'standard-ed25519', grace_period_s: 600 });
    expect(rotated.body).toMatchObject({ signature_profile: 'standard-ed25519', public_key: expect.stringMatching(/^whpk_/), previous: [{ secret: endpoint.secret }] });
    expect(rotated.body).not.toHaveProperty('secret');
    expect((await system.request('GET', `/v1/endpoints/${endpoint.id}`)).body.signature_profile).toBe('standard-ed25519');

    const request = await deliver('/to-ed25519');
    const [[version, signature]] = signatures(request);
    expect(version).toBe('v1a');
    expect(ed25519Verifies(rotated.body.public_key, request, signature)).toBe(true);
    expect(verifies(endpoint.secret!, request)).toBe(true);
  });

  it('never shows a secret in endpoint answers or records one in the ledger', async () => {
    const endpoint = await createEndpoint('/ledger');
    const rotated = await rotate(endpoint.id, { grace_period_s: 60 });
    const ed25519 = await createEndpoint('/ledger-ed25519', { signature_profile: 'standard-ed25519' });
    await rotate(ed25519.id);
    const secrets = [endpoint.secret!, rotated.body.secret as string];

    const answers = JSON.stringify([
      (await system.request('GET', '/v1/endpoints?limit=100')).body,
      (await system.request('GET', `/v1/endpoints/${endpoint.id}`)).body,
      (await system.request('PATCH', `/v1/endpoints/${endpoint.id}`, { body: { description: 'rotated' } })).body,
    ]);
    for (const secret of secrets) expect(answers).not.toContain(secret.slice(6));
    expect(answers).not.toMatch(/whsec_|whsk_|"secrets?"/);

    const events = await ledger([endpoint.id, ed25519.id]);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['EndpointCreated', 'EndpointSecretRotated']));
    expect(events.find((event) => event.type === 'EndpointSecretRotated')?.data).toMatchObject({ id: endpoint.id, grace_period_s: 60 });
    const recorded = JSON.stringify(events);
    for (const secret of secrets) expect(recorded).not.toContain(secret.slice(6));
    expect(recorded).not.toMatch(/whsec_|whsk_|"sealed"/);
  });

  it('answers 404 for an unknown endpoint and 400 problem+json naming a bad grace_period_s', async () => {
    expect((await system.request('GET', '/v1/endpoints/ep_missing/secret')).status).toBe(404);
    expect((await rotate('ep_missing')).status).toBe(404);
    const endpoint = await createEndpoint('/bad-input');
    for (const grace of [-1, 604_801, 1.5, 'soon']) {
      const answer = await rotate(endpoint.id, { grace_period_s: grace });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(new Set((answer.body.errors as { field: string }[]).map((error) => error.field))).toEqual(new Set(['grace_period_s']));
    }
    const badSecret = await rotate(endpoint.id, { secret: 'whsec_not*base64*at*all' });
    expect(badSecret.status).toBe(400);
    expect(JSON.stringify(badSecret.body)).not.toContain('not*base64');
    expect((await rotate(endpoint.id, { signature_profile: 'svix' })).body.errors).toEqual([expect.objectContaining({ field: 'signature_profile' })]);
  });

  async function withDatabase<T>(work: (db: Client) => Promise<T>): Promise<T> {
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    try {
      return await work(db);
    } finally {
      await db.end();
    }
  }

  const storedKeys = (id: string) =>
    withDatabase(async (db) => (await db.query(`SELECT jsonb_array_length(signing_keys) AS n FROM endpoints WHERE id = $1`, [id])).rows[0].n as number);

  const ledger = (ids: string[]) =>
    withDatabase(async (db) =>
      (await db.query(`SELECT type, data, metadata FROM events WHERE stream_id = ANY($1) ORDER BY global_position`, [ids.map((id) => `endpoint-${id}`)])).rows as { type: string; data: Record<string, unknown> }[]);
});
