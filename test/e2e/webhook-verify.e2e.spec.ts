import { ReceivedWebhook, TestSystem, WebhookReceiver } from '@hookledger/testing';

/** POST /v1/webhooks/verify on requests we really delivered, as a receiver would paste them. */
describe('webhook signature verification route, end to end', () => {
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

  /** An endpoint with the profile, and one real delivery to it. */
  async function delivered(profile: string, extra: Record<string, unknown> = {}): Promise<{ secret: string; request: ReceivedWebhook; headers: Record<string, string> }> {
    const path = `/${profile}${extra.payload_format ? `-${extra.payload_format}` : ''}`;
    const type = `verify${path.replace(/\//g, '.')}`;
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: [type], signature_profile: profile, ...extra } });
    expect(created.status).toBe(201);
    expect((await system.request('POST', '/v1/events', { body: { type, data: { amount: 1200, items: [{ sku: 'a-1', name: 'Café' }] } } })).status).toBe(202);
    await receiver.waitForCount(path, 1);
    const [request] = receiver.received(path);
    return { secret: created.body.secret ?? created.body.public_key, request, headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)])) };
  }

  const verify = (body: Record<string, unknown>) => system.request('POST', '/v1/webhooks/verify', { body });
  const otherSecret = `whsec_${Buffer.from('not the secret of this endpoint').toString('base64')}`;

  describe.each(['standard', 'github', 'stripe'] as const)('%s profile', (profile) => {
    let secret: string;
    let request: ReceivedWebhook;
    let headers: Record<string, string>;

    beforeAll(async () => {
      ({ secret, request, headers } = await delivered(profile));
    });

    it('says valid for the request as received, and which signature matched', async () => {
      const answer = await verify({ payload: request.body, headers, secret, signature_profile: profile });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ valid: true, detail: expect.any(String), matched: { scheme: expect.any(String), position: 1 } });
    });

    it('says wrong_secret when the body is exactly what we sent', async () => {
      const answer = await verify({ payload: request.body, headers, secret: otherSecret, signature_profile: profile });
      expect(answer.body).toMatchObject({ valid: false, reason: 'wrong_secret', message_id: headers['webhook-id'] });
      expect(answer.body.detail).toMatch(/key is wrong/);
      expect(JSON.stringify(answer.body)).not.toContain(otherSecret);
    });

    it('says body_altered, and that it is the same JSON re-serialised, for a parsed and re-stringified body', async () => {
      const answer = await verify({ payload: JSON.stringify(JSON.parse(request.body), null, 2), headers, secret, signature_profile: profile });
      expect(answer.body).toMatchObject({ valid: false, reason: 'body_altered' });
      expect(answer.body.detail).toMatch(/same JSON re-serialised/);
    });

    it('says body_altered for changed content', async () => {
      const answer = await verify({ payload: request.body.replace('1200', '1'), headers, secret, signature_profile: profile });
      expect(answer.body).toMatchObject({ valid: false, reason: 'body_altered' });
      expect(answer.body.detail).toMatch(/differs from what we sent/);
    });

    it('says header_missing without the signature header', async () => {
      const signatureHeader = { standard: 'webhook-signature', github: 'x-hub-signature-256', stripe: 'stripe-signature' }[profile];
      const { [signatureHeader]: _removed, ...rest } = headers;
      expect((await verify({ payload: request.body, headers: rest, secret, signature_profile: profile })).body).toMatchObject({ valid: false, reason: 'header_missing' });
    });
  });

  it('says stale_timestamp past the tolerance, and whether the signature itself matches', async () => {
    const { secret, request, headers } = await delivered('standard', { payload_format: 'data' });
    const stale = await verify({ payload: request.body, headers, secret, tolerance_s: 0, timestamp: Number(headers['webhook-timestamp']) - 10 });
    expect(stale.body).toMatchObject({ valid: false, reason: 'stale_timestamp' });
    expect(stale.body.detail).toMatch(/s old \(tolerance 0 s\); no signature matches/);
  });

  it('compares with the data-only rendering too, and says signature_mismatch when no message we sent has the id', async () => {
    const { secret, request, headers } = await delivered('stripe', { payload_format: 'data' });
    expect((await verify({ payload: request.body, headers, secret: otherSecret, signature_profile: 'stripe' })).body).toMatchObject({ reason: 'wrong_secret' });
    expect((await verify({ payload: ` ${request.body}`, headers, secret, signature_profile: 'stripe' })).body).toMatchObject({ reason: 'body_altered' });

    const unknown = await verify({ payload: request.body, headers: { ...headers, 'webhook-id': 'msg_never_sent' }, secret: otherSecret, signature_profile: 'stripe' });
    expect(unknown.body).toMatchObject({ valid: false, reason: 'signature_mismatch' });
    expect(unknown.body.detail).toMatch(/secret is wrong or the body was altered/);
  });

  it('takes signature, id and timestamp as fields instead of headers, and a whpk_ key for standard-ed25519', async () => {
    const { secret, request, headers } = await delivered('standard-ed25519');
    expect(secret).toMatch(/^whpk_/);
    const answer = await verify({
      payload: request.body, secret, signature_profile: 'standard-ed25519',
      signature: headers['webhook-signature'], id: headers['webhook-id'], timestamp: headers['webhook-timestamp'],
    });
    expect(answer.body).toMatchObject({ valid: true, matched: { scheme: 'v1a', position: 1 } });
  });

  it('answers bad input with 400 problem+json naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ secret: otherSecret }, 'payload'],
      [{ payload: '{}' }, 'secret'],
      [{ payload: '{}', secret: otherSecret, signature_profile: 'svix' }, 'signature_profile'],
      [{ payload: '{}', secret: otherSecret, tolerance_s: -1 }, 'tolerance_s'],
      [{ payload: '{}', secret: otherSecret, headers: { 'webhook-id': 1 } }, 'headers'],
      [{ payload: '{}', secret: otherSecret, timestamp: 'yesterday' }, 'timestamp'],
      [{ payload: '{}', secret: otherSecret, signature_profile: 'github', timestamp: 1700000000 }, 'timestamp'],
    ];
    for (const [body, field] of cases) {
      const answer = await verify(body);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((answer.body.errors as { field: string }[]).map((error) => error.field)).toContain(field);
    }
  });
});
