import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { loadPackage } from '@nestjs/common/utils/load-package.util.js';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { loadConfig } from '@hookledger/config';
import { createDataSource, cursorOf, EventStore, LEDGER_GENESIS, LedgerCheckpoints, NewEvent } from '@hookledger/event-store';
import { Checkpoint, extendLedgerOver, LedgerSigningKey, publicKeyFingerprint, verifyCheckpoint } from '@hookledger/ledger';
import { ProblemFilter } from '@hookledger/observability';
import { natsUrl, snapshotHorizonPassed, TestInfrastructure } from '@hookledger/testing';
// The checkpoints the API serves and verifies are the scheduler's: signed here by its own checkpointer.
import { LedgerCheckpointer } from '../../../scheduler/src/ledger-checkpointer';
import { ApiGatewayModule } from '../app.module';

const SEED = Buffer.alloc(32, 5);
const KEY = new LedgerSigningKey(SEED);
const ADMIN = 'ledger-test-admin-key';
/** Signs whatever is uncovered whenever it steps. */
const CHECKPOINT_ALL = { HOOKS_LEDGER_SIGNING_KEY: SEED.toString('base64'), HOOKS_LEDGER_CHECKPOINT_EVENTS: '100000', HOOKS_LEDGER_CHECKPOINT_INTERVAL: '0ms' };

const store = new EventStore([]);
let infrastructure: TestInfrastructure;
let app: INestApplication;
let baseUrl: string;
let checkpointer: LedgerCheckpointer;
/** Some other key than the one the API and the checkpointer are configured with. */
const impostor = new LedgerSigningKey(Buffer.alloc(32, 6));
/** The session of someone who owns the database: the apps' role may not touch the store, its owner can. */
let superuser: DataSource;
let streams = 0;

beforeAll(async () => {
  await loadPackage('class-validator', 'ValidationPipe', async () => import('class-validator'));
  await loadPackage('class-transformer', 'ValidationPipe', async () => import('class-transformer'));
  infrastructure = await TestInfrastructure.create();
  const config = loadConfig(
    { ...process.env, DATABASE_URL: infrastructure.database.url, NATS_URL: natsUrl(), HOOKS_NATS_NAMESPACE: infrastructure.namespace, HOOKS_ADMIN_API_KEY: ADMIN, ...CHECKPOINT_ALL },
    { require: ['HOOKS_ADMIN_API_KEY'] },
  );
  app = await NestFactory.create(ApiGatewayModule.forRoot(config), new ExpressAdapter(), { logger: false, abortOnError: false });
  app.useGlobalFilters(new ProblemFilter());
  await app.listen(0, '127.0.0.1');
  baseUrl = await app.getUrl();
  const providers = [LedgerCheckpoints, LedgerCheckpointer];
  checkpointer = (await infrastructure.compile({ name: 'test-ledger-signer', providers, env: CHECKPOINT_ALL })).get(LedgerCheckpointer);
  // The owner's session where test databases tell the apps' role from the owner (ownerUrl), else the one session there is.
  const { ownerUrl } = infrastructure.database as { ownerUrl?: string };
  superuser = await createDataSource({ url: ownerUrl ?? infrastructure.database.url, poolSize: 2, applicationName: 'test-ledger-owner' }).initialize();
});

afterAll(async () => {
  await superuser?.destroy();
  await app?.close();
  await infrastructure?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function get(path: string, key = ADMIN): Promise<{ status: number; type: string | null; body: any }> {
  const answer = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: answer.status, type: answer.headers.get('content-type'), body: await answer.json() };
}

const event = (n: number): NewEvent => ({ type: 'EndpointUpdated', data: { n }, metadata: { actor: 'test' } });

/** A stream of its own with `count` events, one append (and transaction) each; their positions. */
async function appendStream(count: number): Promise<{ streamId: string; positions: string[] }> {
  const streamId = `endpoint-ledger-${++streams}`;
  const positions: string[] = [];
  for (let version = 0; version < count; version++) {
    const [appended] = await superuser.transaction((tx) => store.append(tx, [{ streamId, streamType: 'endpoint', expectedVersion: version, events: [event(version)] }]));
    positions.push(appended.globalPosition.toString());
  }
  return { streamId, positions };
}

/** Signs a checkpoint over everything appended so far. */
async function checkpoint(signer = checkpointer): Promise<Checkpoint> {
  await snapshotHorizonPassed(superuser);
  const signed = await signer.step();
  if (!signed) throw new Error('nothing was uncovered to checkpoint');
  return signed;
}

/**
 * A checkpoint planted by someone who can write the database but does not hold the key: the next
 * link of the chain, computed correctly, signed with another key.
 */
async function forge(): Promise<Checkpoint> {
  await snapshotHorizonPassed(superuser);
  const checkpoints = new LedgerCheckpoints();
  return superuser.transaction(async (tx) => {
    const last = await checkpoints.latest(tx);
    const entries = await checkpoints.readCommitted(tx, last ? cursorOf(last) : LEDGER_GENESIS, 1_000);
    const end = entries[entries.length - 1];
    const forged = impostor.sign({
      seq: (last?.seq ?? 0) + 1, events: String(Number(last?.events ?? 0) + entries.length), position: end.position, transaction_id: end.transactionId,
      head: extendLedgerOver(Buffer.from(last?.head ?? '00'.repeat(32), 'hex'), entries).toString('hex'), previous_head: last?.head ?? '00'.repeat(32),
      signed_at: new Date().toISOString(),
    });
    await checkpoints.insert(tx, forged);
    return forged;
  });
}

/** What someone with superuser access could do: switch the guard off, rewrite history, switch it back on. */
async function tamper(...statements: [string, unknown[]][]): Promise<void> {
  await superuser.transaction(async (tx) => {
    await tx.query(`ALTER TABLE events DISABLE TRIGGER events_append_only`);
    for (const [sql, params] of statements) await tx.query(sql, params);
    await tx.query(`ALTER TABLE events ENABLE TRIGGER events_append_only`);
  });
}

describe('before the first checkpoint', () => {
  it('answers latest and verify with 404 problem+json', async () => {
    for (const path of ['/v1/audit/checkpoints/latest', '/v1/audit/verify']) {
      const answer = await get(path);
      expect({ path, status: answer.status, type: answer.type }).toEqual({ path, status: 404, type: expect.stringMatching(/^application\/problem\+json/) });
    }
    expect((await get('/v1/audit/checkpoints')).body).toEqual({ data: [], next_cursor: null });
  });
});

describe('checkpoints and the public key', () => {
  let signed: Checkpoint[];

  beforeAll(async () => {
    signed = [];
    for (let i = 0; i < 3; i++) {
      await appendStream(2);
      signed.push(await checkpoint());
    }
  });

  it('serves the public key of the configured signing key, not one read from the database', async () => {
    const answer = await get('/v1/audit/public-key');
    expect(answer.body).toEqual({ algorithm: 'Ed25519', public_key: KEY.publicKeyBase64, fingerprint: publicKeyFingerprint(KEY.publicKey) });
    expect(Buffer.from(answer.body.public_key, 'base64')).toHaveLength(32);
  });

  it('serves the latest checkpoint and each by seq, exactly as signed', async () => {
    expect((await get('/v1/audit/checkpoints/latest')).body).toEqual(signed[2]);
    const first = (await get(`/v1/audit/checkpoints/${signed[0].seq}`)).body;
    expect(first).toEqual(signed[0]);
    expect(verifyCheckpoint(first, (await get('/v1/audit/public-key')).body.public_key)).toBe(true);
  });

  it('lists checkpoints newest first, a page at a time', async () => {
    const page = await get('/v1/audit/checkpoints?limit=2');
    expect(page.body.data.map((c: Checkpoint) => c.seq)).toEqual([signed[2].seq, signed[1].seq]);
    const rest = await get(`/v1/audit/checkpoints?limit=2&cursor=${page.body.next_cursor}`);
    expect(rest.body).toEqual({ data: [signed[0]], next_cursor: null });
  });

  it('answers bad parameters with 400 and unknown checkpoints with 404, as problem+json', async () => {
    const cases: [string, number][] = [
      ['/v1/audit/checkpoints/abc', 400], ['/v1/audit/checkpoints/0', 400], ['/v1/audit/checkpoints/999', 404],
      ['/v1/audit/checkpoints?cursor=nope', 400], ['/v1/audit/verify?from=x', 400], ['/v1/audit/verify?to=-1', 400],
      ['/v1/audit/verify?from=3&to=2', 400], ['/v1/audit/verify?to=999', 404], ['/v1/audit/verify?from=999', 404],
    ];
    for (const [path, status] of cases) {
      const answer = await get(path);
      expect({ path, status: answer.status, type: answer.type, detail: typeof answer.body.detail })
        .toEqual({ path, status, type: expect.stringMatching(/^application\/problem\+json/), detail: 'string' });
    }
  });

  it('verifies an untouched ledger from genesis to the latest checkpoint, and from any checkpoint', async () => {
    const [{ count }]: { count: string }[] = await superuser.query(`SELECT count(*) FROM events`);
    expect((await get('/v1/audit/verify')).body).toEqual({
      intact: true, from: 0, to: signed[2].seq, events_checked: Number(count), checkpoints_checked: 3, first_bad: null,
    });
    expect((await get(`/v1/audit/verify?from=${signed[1].seq}`)).body).toEqual({
      intact: true, from: signed[1].seq, to: signed[2].seq, events_checked: 2, checkpoints_checked: 2, first_bad: null,
    });
  });

  it('lets an auditor key bound to a tenant read checkpoints and the key, but not verify the whole ledger', async () => {
    const created = await fetch(`${baseUrl}/v1/api-keys`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'auditor', tenant_id: 'default' }),
    });
    expect(created.status).toBe(201);
    const { key } = await created.json() as { key: string };
    expect((await get('/v1/audit/checkpoints/latest', key)).status).toBe(200);
    expect((await get('/v1/audit/checkpoints', key)).status).toBe(200);
    expect((await get('/v1/audit/public-key', key)).status).toBe(200);
    expect((await get('/v1/audit/verify', key)).status).toBe(403);
  });
});

describe('verification finds what a database superuser changed', () => {
  /** Checkpoints the ledger, then a stretch of its own with `build`'s events, signed by a checkpoint of its own. */
  async function stretch<T>(build: () => Promise<T>): Promise<T & { from: number; to: number; first: string }> {
    const from = (await checkpoint().catch(async () => (await get('/v1/audit/checkpoints/latest')).body as Checkpoint)).seq;
    const filler = await appendStream(1);
    const built = await build();
    return { ...built, from, to: (await checkpoint()).seq, first: filler.positions[0] };
  }

  it('names an event rewritten without recomputing its hash', async () => {
    const { streamId, positions, from, to } = await stretch(() => appendStream(3));

    await tamper([`UPDATE events SET data = '{"n": 1000}' WHERE stream_id = $1 AND stream_version = 2`, [streamId]]);

    expect((await get(`/v1/audit/verify?from=${from}&to=${to}`)).body).toEqual({
      intact: false, from, to, events_checked: 2, checkpoints_checked: 1,
      first_bad: { position: positions[1], stream_id: streamId, version: 2, checkpoint: to, reason: expect.stringMatching(/^hash mismatch/) },
    });
  });

  it('catches a rewrite whose stream chain was recomputed, at the checkpoint whose signed head it breaks', async () => {
    const { streamId, from, to, first } = await stretch(() => appendStream(3));

    // Version 2 rewritten, versions 2 and 3 re-hashed, the stream head moved: the stream's own chain holds again.
    await tamper(
      [`UPDATE events SET data = '{"n": 1000}' WHERE stream_id = $1 AND stream_version = 2`, [streamId]],
      ...[2, 3].map((version): [string, unknown[]] => [
        `UPDATE events e SET hash = hl_event_digest(p.hash, e.stream_id, e.stream_version, e.type, e.schema_version, e.data, e.metadata, e.recorded_at)
           FROM events p WHERE e.stream_id = $1 AND e.stream_version = $2 AND p.stream_id = e.stream_id AND p.stream_version = e.stream_version - 1`,
        [streamId, version]]),
      [`UPDATE streams s SET last_hash = e.hash FROM events e WHERE s.stream_id = $1 AND e.stream_id = s.stream_id AND e.stream_version = s.version`, [streamId]],
    );
    const [{ broken }]: { broken: number | null }[] = await superuser.query(`SELECT hl_verify_stream($1) AS broken`, [streamId]);
    expect(broken).toBeNull();

    const answer = (await get(`/v1/audit/verify?from=${from}&to=${to}`)).body;
    expect(answer).toEqual({
      intact: false, from, to, events_checked: 4, checkpoints_checked: 1,
      first_bad: { position: first, stream_id: expect.any(String), version: 1, checkpoint: to, reason: expect.stringMatching(/^chain head mismatch/) },
    });
    expect(answer.first_bad.reason).toContain(`after checkpoint ${from}`);
  });

  it('catches a whole stream deleted', async () => {
    const { streamId, from, to, first } = await stretch(() => appendStream(3));

    await tamper([`DELETE FROM events WHERE stream_id = $1`, [streamId]], [`DELETE FROM streams WHERE stream_id = $1`, [streamId]]);

    expect((await get(`/v1/audit/verify?from=${from}&to=${to}`)).body).toEqual({
      intact: false, from, to, events_checked: 1, checkpoints_checked: 1,
      first_bad: { position: first, stream_id: expect.any(String), version: 1, checkpoint: to, reason: expect.stringMatching(/^chain head mismatch/) },
    });
  });

  it('names the first broken thing when verifying from genesis', async () => {
    const answer = (await get('/v1/audit/verify')).body;
    expect(answer.intact).toBe(false);
    expect(answer.first_bad.reason).toMatch(/^hash mismatch/);
  });

  it('refuses a checkpoint signed by another key than the configured one', async () => {
    const from = (await checkpoint().catch(async () => (await get('/v1/audit/checkpoints/latest')).body as Checkpoint)).seq;
    await appendStream(1);
    const forged = await forge();

    expect((await get(`/v1/audit/verify?from=${from}`)).body).toEqual({
      intact: false, from, to: forged.seq, events_checked: 0, checkpoints_checked: 1,
      first_bad: { position: forged.position, stream_id: null, version: null, checkpoint: forged.seq, reason: expect.stringMatching(/^bad signature/) },
    });

    // Nor does the checkpointer build on it: it would sign over whatever the planted head chains.
    await appendStream(1);
    await snapshotHorizonPassed(superuser);
    await expect(checkpointer.step()).rejects.toThrow(`the latest ledger checkpoint (seq ${forged.seq}) does not verify with this signing key`);
  });

  it('stops signing when checkpoints it saw were deleted, rather than chain afresh over what is left', async () => {
    await superuser.transaction(async (tx) => {
      await tx.query(`ALTER TABLE ledger_checkpoints DISABLE TRIGGER ledger_checkpoints_append_only`);
      await tx.query(`DELETE FROM ledger_checkpoints`);
      await tx.query(`ALTER TABLE ledger_checkpoints ENABLE TRIGGER ledger_checkpoints_append_only`);
    });
    await expect(checkpointer.step()).rejects.toThrow(/ledger checkpoints went back from seq \d+ to none/);
  });
});
