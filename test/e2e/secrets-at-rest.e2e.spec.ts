import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { SecretCipher, sealedAt } from '@hookledger/secrets';
import { sealUnbound, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

const run = promisify(execFile);
const DIST = join(__dirname, '..', '..', process.env.HOOKLEDGER_DIST || 'dist');

/**
 * Attacks the promise that secrets are only ever at rest sealed: after a run touching every kind
 * of secret (and the error paths that might log one), neither a dump of the database nor any log
 * line of the four apps holds a secret, password, token, private key, encryption key or API key.
 */
describe('secrets at rest, end to end', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);
  let system: TestSystem;
  let receiver: WebhookReceiver;
  /** What must never appear in plaintext, by name (the name is what a failure reports). */
  const secrets = new Map<string, string>();
  let cliOutput = '';

  const random = (bytes = 24) => randomBytes(bytes).toString('base64');
  /** The value, and for prefixed keys also the base64 part alone (what a leak of the raw key looks like). */
  function remember(name: string, value: string): void {
    secrets.set(name, value);
    const bare = /^(whsec|whsk|hl|hlp)_(.+)$/.exec(value)?.[2];
    if (bare) secrets.set(`${name} (without prefix)`, bare);
  }

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({
      env: {
        HOOKS_ENCRYPTION_KEY: keyB.toString('hex'),
        HOOKS_ENCRYPTION_KEY_PREVIOUS: keyA.toString('base64'),
        // Every line the apps can write, not only the ones a production level keeps.
        HOOKS_LOG_LEVEL: 'trace',
        HOOKS_RETRY_SCHEDULE: '1',
      },
    });
    remember('encryption key (hex)', keyB.toString('hex'));
    remember('encryption key (base64)', keyB.toString('base64'));
    remember('previous encryption key (hex)', keyA.toString('hex'));
    remember('previous encryption key (base64)', keyA.toString('base64'));
    remember('admin API key', system.adminKey);
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  async function createEndpoint(path: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: ['secrets.checked'], ...extra }, headers });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret?: string; public_key?: string };
  }

  /** An endpoint's sealed keys, from the key table: its signing keys newest first, and its auth credential. */
  async function sealedRow(id: string): Promise<{ secrets: { key_id: string; sealed: string }[]; auth: { key_id: string; sealed: string } | null }> {
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    try {
      const secrets = (await db.query(
        `SELECT k.key_id, k.sealed FROM endpoints e, jsonb_array_elements(e.signing_keys) WITH ORDINALITY AS s(key, i)
           JOIN endpoint_keys k ON k.key_id = s.key ->> 'key_id' WHERE e.id = $1 ORDER BY s.i`, [id])).rows;
      const [auth] = (await db.query(`SELECT k.key_id, k.sealed FROM endpoints e JOIN endpoint_keys k ON k.key_id = e.auth ->> 'key_id' WHERE e.id = $1`, [id])).rows;
      return { secrets, auth: auth ?? null };
    } finally {
      await db.end();
    }
  }

  async function sql(text: string, values: unknown[] = []): Promise<void> {
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    await db.query(text, values).finally(() => db.end());
  }

  /** Names of the remembered secrets found in `text`. */
  const leaksIn = (text: string) => [...secrets].filter(([, value]) => text.includes(value)).map(([name]) => name);

  it('runs every kind of secret through the system, the happy and the error paths', async () => {
    const generated = await createEndpoint('/generated');
    remember('generated secret', generated.secret!);
    const given = `whsec_${random()}`;
    remember('given secret', given);
    await createEndpoint('/given', { secret: given });
    const password = `pw-${random(12)}`;
    remember('basic password', password);
    remember('basic credentials (base64)', Buffer.from(`hooks:${password}`).toString('base64'));
    const basic = await createEndpoint('/basic', { auth: { type: 'basic', username: 'hooks', password } });
    const token = `tok_${random(18)}`;
    remember('bearer token', token);
    await createEndpoint('/bearer', { auth: { type: 'bearer', token } });
    const ed25519 = await createEndpoint('/ed25519', { signature_profile: 'standard-ed25519' });
    expect(ed25519.public_key).toMatch(/^whpk_/);

    const rotated = await system.request('POST', `/v1/endpoints/${generated.id}/secret/rotate`, { body: { grace_period_s: 3600 } });
    expect(rotated.status).toBe(200);
    remember('rotated secret', rotated.body.secret);

    // Its stored answer holds the secret: the idempotency table is sealed too.
    const idempotent = await createEndpoint('/idempotent', {}, { 'idempotency-key': `create-${random(6)}` });
    remember('secret in an idempotent answer', idempotent.secret!);

    const failingPassword = `pw-fail-${random(12)}`;
    remember('password of a failing endpoint', failingPassword);
    remember('credentials of a failing endpoint (base64)', Buffer.from(`hooks:${failingPassword}`).toString('base64'));
    receiver.answer('/failing', () => ({ status: 500, body: 'receiver broke' }));
    const failing = await createEndpoint('/failing', { auth: { type: 'basic', username: 'hooks', password: failingPassword } });

    // Error paths that might log what they were given.
    expect((await system.request('GET', '/v1/endpoints', { key: `${system.adminKey}-but-wrong` })).status).toBe(401);
    const wrongKey = `hl_${random(18)}`;
    remember('a wrong API key', wrongKey);
    expect((await system.request('GET', '/v1/endpoints', { key: wrongKey })).status).toBe(401);
    const rejectedSecret = `whsec_${random()}`;
    const rejectedToken = `tok_${random(18)}`;
    remember('secret in a rejected body', rejectedSecret);
    remember('token in a rejected body', rejectedToken);
    const invalid = await system.request('POST', '/v1/endpoints', {
      body: { url: 'not a url', secret: rejectedSecret, auth: { type: 'bearer', token: rejectedToken, password: 12 } },
    });
    expect(invalid.status).toBe(400);
    expect(leaksIn(JSON.stringify(invalid.body))).toEqual([]);

    // API keys and portal tokens: shown once, then used, revoked, expired and presented wrongly.
    const apiKey = await system.request('POST', '/v1/api-keys', { body: { role: 'admin', name: 'secrets check' } });
    expect(apiKey.status).toBe(201);
    remember('an API key', apiKey.body.key);
    expect((await system.request('GET', `/v1/api-keys/${apiKey.body.id}`, { key: apiKey.body.key })).status).toBe(200);
    const portal = await system.request('POST', '/v1/tenants/default/portal-token', { body: {}, key: apiKey.body.key });
    expect(portal.status).toBe(201);
    remember('a portal token', portal.body.token);
    expect((await system.request('GET', '/v1/deliveries', { key: portal.body.token })).status).toBe(200);
    expect((await system.request('GET', '/v1/events', { key: portal.body.token })).status).toBe(403);
    expect((await system.request('DELETE', `/v1/api-keys/${apiKey.body.id}`)).status).toBe(204);
    expect((await system.request('GET', '/v1/endpoints', { key: apiKey.body.key })).status).toBe(401);
    expect((await system.request('POST', '/v1/events', { body: { type: 'secrets.checked', data: { n: 1 } } })).status).toBe(202);
    for (const path of ['/generated', '/given', '/basic', '/bearer', '/ed25519', '/idempotent']) await receiver.waitForCount(path, 1);
    expect(receiver.received('/bearer')[0].headers.authorization).toBe(`Bearer ${token}`);
    // The failing endpoint: first attempt and one retry, both answered 500.
    await receiver.waitForCount('/failing', 2);
    await eventually(async () => {
      const { body } = await system.request('GET', `/v1/deliveries?endpoint_id=${failing.id}`);
      return body.data[0]?.attempts >= 2 ? body : undefined;
    }, 'two failed attempts to be recorded');

    // The private key is never shown: read it the way the dispatcher does, to look for it.
    const cipher = new SecretCipher(keyB, [keyA]);
    const [privateKey] = (await sealedRow(ed25519.id)).secrets;
    remember('ed25519 private key', cipher.open(privateKey.sealed, sealedAt.endpointKey(privateKey.key_id)));
    expect(secrets.get('ed25519 private key')).toMatch(/^whsk_/);

    // A value still under the previous key, sealed before values were bound to their row (v1):
    // moved to the current key, and bound to its row, by the command.
    await sql(`UPDATE endpoint_keys SET sealed = $2 WHERE key_id = (SELECT auth ->> 'key_id' FROM endpoints WHERE id = $1)`, [basic.id, sealUnbound(keyA, password)]);
    const { stdout, stderr } = await run(process.execPath, [join(DIST, 'cli', 'reencrypt-secrets.js')], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: system.database.url, HOOKS_ENCRYPTION_KEY: keyB.toString('hex'), HOOKS_ENCRYPTION_KEY_PREVIOUS: keyA.toString('hex') },
    });
    cliOutput = stdout + stderr;
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ msg: 'secrets re-encrypted', keyId: cipher.keyId, failures: [] });
    expect(report.endpointKeys).toMatchObject({ reencrypted: 1, failed: 0 });
    expect((await sealedRow(basic.id)).auth!.sealed).toMatch(new RegExp(`^v2\\.${cipher.keyId}\\.`));

    // Still delivers with the credentials it had.
    expect((await system.request('POST', '/v1/events', { body: { type: 'secrets.checked', data: { n: 2 } } })).status).toBe(202);
    await receiver.waitForCount('/basic', 2);
    expect(receiver.received('/basic')[1].headers.authorization).toBe(`Basic ${Buffer.from(`hooks:${password}`).toString('base64')}`);
  });

  it('a dump of the database holds none of them', async () => {
    const { stdout: dump } = await run('pg_dump', ['--no-owner', system.database.url], { maxBuffer: 256 * 1024 * 1024 });
    // The rows are there, sealed: the scan reads what a thief of the dump would.
    expect(dump).toContain('COPY public.endpoints');
    expect(dump).toContain('COPY public.idempotency_keys');
    expect(dump).toContain(`v2.${SecretCipher.idOf(keyB)}.`);
    expect(leaksIn(dump)).toEqual([]);
  });

  it('no log line of the four apps, or of the re-encryption command, holds one', async () => {
    const logs = system.logs() + cliOutput;
    // Lines from each app at work, not only from their start.
    for (const line of ['api-gateway started', 'batch stored', 'due deliveries published', 'secrets re-encrypted']) expect(logs).toContain(line);
    expect(leaksIn(logs)).toEqual([]);
  });

  it('a sealed value copied to another row does not open there: nothing is signed or shown with it', async () => {
    const owner = await createEndpoint('/copied-from', { event_types: ['sealing.copied'] });
    // Never delivered to before the copy, so no credentials of its own are cached anywhere.
    const victim = await createEndpoint('/copied-to', { event_types: ['sealing.copied'] });
    const [[ownerKey], [victimKey]] = [(await sealedRow(owner.id)).secrets, (await sealedRow(victim.id)).secrets];
    await sql(`UPDATE endpoint_keys SET sealed = $1 WHERE key_id = $2`, [ownerKey.sealed, victimKey.key_id]);

    expect((await system.request('POST', '/v1/events', { body: { type: 'sealing.copied', data: { n: 1 } } })).status).toBe(202);
    await receiver.waitForCount('/copied-from', 1);
    // The witness for the victim: the dispatcher's refusal, naming the row and no secret.
    await eventually(async () => system.logs('dispatcher').includes(`endpoint_keys.sealed:[\\"${victimKey.key_id}\\"] failed authentication`) || undefined,
      'the dispatcher to refuse the copied secret');
    expect(receiver.received('/copied-to')).toEqual([]);

    const shown = await system.request('GET', `/v1/endpoints/${victim.id}/secret`);
    expect(shown.status).toBe(500);
    expect(shown.headers.get('content-type')).toMatch(/problem\+json/);
    expect(shown.body.detail).toContain(`Endpoint ${victim.id}'s signing secret cannot be opened`);
    expect(JSON.stringify(shown.body)).not.toContain(owner.secret!);

    // The way out the answer names: a rotation issues the victim a key of its own, and the delivery goes.
    const rotated = await system.request('POST', `/v1/endpoints/${victim.id}/secret/rotate`, { body: { grace_period_s: 0 } });
    expect(rotated.status).toBe(200);
    await receiver.waitForCount('/copied-to', 1);
    const [delivered] = receiver.received('/copied-to');
    expect(delivered.headers['webhook-signature']).toBeDefined();
    expect((await system.request('GET', `/v1/endpoints/${victim.id}/secret`)).body.secret).toBe(rotated.body.secret);
  });

  it('a stored idempotent answer copied to another key does not replay there', async () => {
    const keyOf = (name: string) => `${name}-${random(6)}`;
    const [first, second] = [keyOf('copy-source'), keyOf('copy-target')];
    await createEndpoint('/idempotent-source', {}, { 'idempotency-key': first });
    const body = { url: receiver.url('/idempotent-target'), event_types: ['secrets.checked'] };
    expect((await system.request('POST', '/v1/endpoints', { body, headers: { 'idempotency-key': second } })).status).toBe(201);
    await sql(`UPDATE idempotency_keys SET response_body = (SELECT response_body FROM idempotency_keys WHERE key = $1) WHERE key = $2`, [first, second]);

    const replayed = await system.request('POST', '/v1/endpoints', { body, headers: { 'idempotency-key': second } });
    expect(replayed.status).toBe(500);
    expect(replayed.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
