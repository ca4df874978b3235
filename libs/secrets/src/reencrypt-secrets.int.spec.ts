import { DEFAULT_TENANT, endpointStreamId } from '@hookledger/domain';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { HookledgerConfig } from '@hookledger/config';
import { AggregateRepository, endpointAggregate, EventStore } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, sealUnbound, TestDatabase } from '@hookledger/testing';
import { reencryptSecrets } from './reencrypt-secrets';
import { SealContext, sealedAt } from './seal-context';
import { SecretCipher } from './secret-cipher';
import { TenantDataKeys } from './tenant-data-keys';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const underA = new SecretCipher(keyA);
const rotating = new SecretCipher(keyB, [keyA]);

let database: TestDatabase;
let db: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** Every plaintext the rows hold, by where it is: what a rotation must preserve. */
const plaintexts: Record<string, string> = {};

/** Seals with `cipher` bound to the row, or — given a bare key — as before binding (v1). */
const sealerOf = (cipher: SecretCipher | Buffer) => (plaintext: string, at: SealContext) =>
  cipher instanceof SecretCipher ? cipher.seal(plaintext, at) : sealUnbound(cipher, plaintext);

/** An endpoint as the API creates it: its keys in the key table, each sealed for its own row, and EndpointCreated naming them. */
async function createEndpoint(index: number, cipher: SecretCipher | Buffer): Promise<void> {
  const seal = sealerOf(cipher);
  const id = `ep_${String(index).padStart(3, '0')}`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  plaintexts[`${id} secret`] = secret;
  plaintexts[`${id} auth`] = password;
  const [secretKey, authKey] = [`${id}.secret`, `${id}.auth`];
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO endpoint_keys (key_id, endpoint_id, purpose, sealed) VALUES ($1, $3, 'signing', $2), ($4, $3, 'auth', $5)`,
      [secretKey, seal(secret, sealedAt.endpointKey(secretKey)), id, authKey, seal(password, sealedAt.endpointKey(authKey))]);
    await new AggregateRepository(db, new EventStore()).handleIn(tx, endpointAggregate, endpointStreamId(id), {
      type: 'CreateEndpoint', endpoint_id: id, tenant_id: DEFAULT_TENANT, settings: { url: `https://receiver.example/${index}` },
      auth: index % 2 === 0 ? { type: 'basic', username: 'hooks', key_id: authKey } : { type: 'bearer', key_id: authKey }, secret_key_id: secretKey, adhoc: false,
    }, {});
  });
}

async function storeAnswer(index: number, cipher: SecretCipher | Buffer): Promise<void> {
  const body = JSON.stringify({ id: `ep_${index}`, secret: `whsec_${randomBytes(24).toString('base64')}` });
  plaintexts[`answer ${index}`] = body;
  await db.query(
    `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, state, response_status, response_body, expires_at)
     VALUES ('admin', $1, 'POST', '/v1/endpoints', 'h', 'completed', 201, $2, now() + interval '1 day')`,
    [`key-${index}`, JSON.stringify({ sealed: sealerOf(cipher)(body, sealedAt.idempotentAnswer('admin', `key-${index}`)) })],
  );
}

/** Every sealed value in the database, by where it is. */
async function sealedValues(): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  const keys: { key_id: string; sealed: string }[] = await db.query(`SELECT key_id, sealed FROM endpoint_keys WHERE NOT legacy_binding`);
  for (const row of keys) values[row.key_id.replace('.', ' ')] = row.sealed;
  const answers: { key: string; response_body: { sealed: string } }[] = await db.query(`SELECT key, response_body FROM idempotency_keys WHERE response_body IS NOT NULL`);
  for (const row of answers) values[`answer ${row.key.slice('key-'.length)}`] = row.response_body.sealed;
  return values;
}

/** Where a value is, as the place it is sealed for: `ep_001 secret`, `ep_001 auth`, `answer 3`. */
function contextOf(where: string): SealContext {
  const [id, column] = where.split(' ');
  if (id === 'answer') return sealedAt.idempotentAnswer('admin', `key-${column}`);
  return sealedAt.endpointKey(`${id}.${column}`);
}

const DAY = { retention: { dayMs: 86_400_000 } } as HookledgerConfig;
/** Payloads sealed under key A's data keys (three days of one tenant, one of another, one destroyed), to open after the rotation. */
const payloads: { sealed: string; tenantId: string; context: string; text: string }[] = [];

async function sealPayloads(): Promise<void> {
  const keys = new TenantDataKeys(db, underA, DAY);
  for (const [tenantId, day] of [['acme', 1], ['acme', 2], ['acme', 3], ['globex', 1]] as const) {
    const text = `{"n":"${tenantId}-${day}"}`;
    const context = `message:${tenantId}/m-${day}`;
    payloads.push({ sealed: await keys.sealOne(tenantId, text, context, new Date(Date.UTC(2024, 0, day, 12))), tenantId, context, text });
  }
  await keys.sealOne('erased', '{"gone":true}', 'message:erased/m', new Date(Date.UTC(2024, 0, 1)));
  await db.transaction((tx) => keys.destroy(tx, 'erased', 'erasure'));
}

const openAll = (values: Record<string, string>, cipher: SecretCipher) =>
  Object.fromEntries(Object.entries(values).map(([where, sealed]) => [where, cipher.open(sealed, contextOf(where))]));

describe('reencryptSecrets', () => {
  beforeAll(async () => {
    // More rows than one batch, so the walk crosses pages.
    for (let i = 0; i < 7; i++) await createEndpoint(i, underA);
    for (let i = 0; i < 5; i++) await storeAnswer(i, underA);
    await sealPayloads();
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, state, expires_at)
       VALUES ('admin', 'in-flight', 'POST', '/v1/endpoints', 'h', 'in_progress', now() + interval '1 day')`);
  });

  it('re-seals every value under key A with key B, keeping every plaintext', async () => {
    const before = await sealedValues();
    expect(Object.values(before).every((sealed) => SecretCipher.keyIdOf(sealed) === underA.keyId)).toBe(true);

    const report = await reencryptSecrets(db, rotating, 3);

    expect(report).toEqual({
      keyId: rotating.keyId,
      endpointKeys: { examined: 14, reencrypted: 14, alreadyCurrent: 0, failed: 0 },
      idempotencyKeys: { examined: 6, reencrypted: 5, alreadyCurrent: 1, failed: 0 },
      tenantDataKeys: { examined: 4, reencrypted: 4, alreadyCurrent: 0, failed: 0 },
      failures: [],
    });
    const after = await sealedValues();
    expect(Object.keys(after).sort()).toEqual(Object.keys(plaintexts).sort());
    for (const [where, sealed] of Object.entries(after)) {
      expect([where, SecretCipher.keyIdOf(sealed)]).toEqual([where, rotating.keyId]);
      expect(sealed).not.toBe(before[where]);
    }
    expect(openAll(after, rotating)).toEqual(plaintexts);
  });

  it('changes nothing on a second run', async () => {
    const before = await sealedValues();
    const endpointsBefore = await db.query(`SELECT id, version, updated_at FROM endpoints ORDER BY id`);

    const report = await reencryptSecrets(db, rotating, 3);

    expect(report.endpointKeys).toEqual({ examined: 14, reencrypted: 0, alreadyCurrent: 14, failed: 0 });
    expect(report.idempotencyKeys).toEqual({ examined: 6, reencrypted: 0, alreadyCurrent: 6, failed: 0 });
    expect(report.tenantDataKeys).toEqual({ examined: 4, reencrypted: 0, alreadyCurrent: 4, failed: 0 });
    expect(await sealedValues()).toEqual(before);
    expect(await db.query(`SELECT id, version, updated_at FROM endpoints ORDER BY id`)).toEqual(endpointsBefore);
  });

  it('leaves everything readable once key A is removed from the configuration', async () => {
    expect(openAll(await sealedValues(), new SecretCipher(keyB))).toEqual(plaintexts);
  });

  it("rewraps tenants' data keys only: payloads sealed before the rotation open with key B alone, a destroyed key stays destroyed", async () => {
    const afterRotation = new TenantDataKeys(db, new SecretCipher(keyB), DAY);
    const opened = await afterRotation.openMany(payloads);
    expect(opened.map((payload) => payload.text)).toEqual(payloads.map((payload) => payload.text));
    expect(await db.query(`SELECT count(*)::int AS n FROM tenant_data_keys WHERE tenant_id = 'erased' AND wrapped IS NULL AND destroyed_for = 'erasure'`)).toEqual([{ n: 1 }]);
  });

  it('appends no ledger event and never writes secret material outside the sealed columns', async () => {
    const events: { type: string; data: unknown }[] = await db.query(`SELECT type, data FROM events WHERE stream_id LIKE 'endpoint-%'`);
    expect(events.map((event) => event.type)).toEqual(Array(7).fill('EndpointCreated'));
    const everything = JSON.stringify(await db.query(`SELECT * FROM endpoints`)) + JSON.stringify(await db.query(`SELECT * FROM endpoint_keys`))
      + JSON.stringify(await db.query(`SELECT * FROM idempotency_keys`));
    for (const plaintext of Object.values(plaintexts)) expect(everything).not.toContain(plaintext);
  });

  it('counts a row it cannot open as a failure, names the row and not the value, and goes on with the rest', async () => {
    const lostKey = new SecretCipher(randomBytes(32));
    await createEndpoint(100, lostKey);
    await createEndpoint(101, underA);

    const report = await reencryptSecrets(db, new SecretCipher(keyB, [keyA]), 3);

    expect(report.endpointKeys).toEqual({ examined: 18, reencrypted: 2, alreadyCurrent: 14, failed: 2 });
    const lost = `no encryption key with id ${lostKey.keyId} is configured (HOOKS_ENCRYPTION_KEY or HOOKS_ENCRYPTION_KEY_PREVIOUS)`;
    expect(report.failures).toEqual([`endpoint_keys ep_100.auth: ${lost}`, `endpoint_keys ep_100.secret: ${lost}`]);
    const [row]: { sealed: string }[] = await db.query(`SELECT sealed FROM endpoint_keys WHERE key_id = 'ep_100.secret'`);
    expect(SecretCipher.keyIdOf(row.sealed)).toBe(lostKey.keyId);
  });

  it('re-seals values from before row binding (v1, current key) bound to their row, so a copy no longer opens elsewhere', async () => {
    await createEndpoint(200, keyB);
    await storeAnswer(200, keyB);
    const legacy = await sealedValues();
    expect(['ep_200 secret', 'ep_200 auth', 'answer 200'].map((where) => legacy[where].slice(0, 3))).toEqual(['v1.', 'v1.', 'v1.']);
    // Unbound, a copy opens anywhere: the hole the upgrade closes.
    expect(rotating.open(legacy['ep_200 secret'], sealedAt.endpointSecret('ep_001'))).toBe(plaintexts['ep_200 secret']);

    const report = await reencryptSecrets(db, rotating, 3);

    expect(report.endpointKeys).toEqual({ examined: 20, reencrypted: 2, alreadyCurrent: 16, failed: 2 });
    expect(report.idempotencyKeys).toEqual({ examined: 7, reencrypted: 1, alreadyCurrent: 6, failed: 0 });
    const after = await sealedValues();
    for (const where of ['ep_200 secret', 'ep_200 auth', 'answer 200']) {
      expect([where, after[where].slice(0, 3), rotating.open(after[where], contextOf(where))]).toEqual([where, 'v2.', plaintexts[where]]);
    }
    expect(() => rotating.open(after['ep_200 secret'], sealedAt.endpointSecret('ep_001'))).toThrow(/failed authentication/);
    expect(() => rotating.open(after['ep_200 auth'], sealedAt.endpointKey('ep_200.secret'))).toThrow(/failed authentication/);
  });

  it('re-binds a key the key-table migration moved (still sealed for its endpoints column) to its own key row', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    await db.query(`INSERT INTO endpoint_keys (key_id, endpoint_id, purpose, sealed, legacy_binding) VALUES ('ep_300.signing.1', 'ep_300', 'signing', $1, true)`,
      [rotating.seal(secret, sealedAt.endpointSecret('ep_300'))]);

    const report = await reencryptSecrets(db, rotating, 3);

    expect(report.endpointKeys).toMatchObject({ reencrypted: 1, failed: 2 });
    const [row]: { sealed: string; legacy_binding: boolean }[] = await db.query(`SELECT sealed, legacy_binding FROM endpoint_keys WHERE key_id = 'ep_300.signing.1'`);
    expect(row.legacy_binding).toBe(false);
    expect(rotating.open(row.sealed, sealedAt.endpointKey('ep_300.signing.1'))).toBe(secret);
    expect(() => rotating.open(row.sealed, sealedAt.endpointSecret('ep_300'))).toThrow(/failed authentication/);
  });
});
