import type { DataSource } from 'typeorm';
import { EventReader, EventStore, NewEvent } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, TestDatabase } from '@hookledger/testing';

// The store alone: these specs append placeholder event data that no projector could read.
const store = new EventStore([]);
const reader = new EventReader();
let database: TestDatabase;
let db: DataSource;
/** The apps cannot tamper at all (app-role.int.spec.ts); the owner can, and that is what these specs catch. */
let owner: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database);
  owner = await openDataSource(database, 1, 'owner');
});

afterAll(async () => {
  await owner?.destroy();
  await db?.destroy();
  await database?.drop();
});

const updated = (n: number): NewEvent => ({ type: 'EndpointUpdated', data: { n }, metadata: { actor: 'key_1' } });

async function appendEndpoint(streamId: string, expectedVersion: number, events: NewEvent[]): Promise<void> {
  await db.transaction((tx) => store.append(tx, [{ streamId, streamType: 'endpoint', expectedVersion, events }]));
}

/** What the owner (or a superuser) could do: switch the guard off, rewrite history, switch it back on. */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await owner.transaction(async (tx) => {
    await tx.query(`ALTER TABLE events DISABLE TRIGGER events_append_only`);
    await tx.query(sql, params);
    await tx.query(`ALTER TABLE events ENABLE TRIGGER events_append_only`);
  });
}

function sqlState(error: unknown): string | undefined {
  const failure = error as { code?: string; driverError?: { code?: string } } | undefined;
  return failure?.code ?? failure?.driverError?.code;
}

describe('altering a stored event is refused, even to the owner', () => {
  beforeAll(() => appendEndpoint('endpoint-sealed', 0, [{ type: 'EndpointCreated', data: { url: 'https://a.example' } }]));

  it.each([
    ['UPDATE', `UPDATE events SET data = '{"url": "https://evil.example"}' WHERE stream_id = 'endpoint-sealed'`],
    ['DELETE', `DELETE FROM events WHERE stream_id = 'endpoint-sealed'`],
    ['TRUNCATE', `TRUNCATE events`],
  ])('%s fails with SQLSTATE HL403 and the event stays as it was', async (_, sql) => {
    const refusal = await owner.query(sql).then(() => undefined, (error: unknown) => error);

    expect(sqlState(refusal)).toBe('HL403');
    expect(await db.query(`SELECT stream_version, data FROM events WHERE stream_id = 'endpoint-sealed'`)).toEqual([
      { stream_version: 1, data: { url: 'https://a.example' } },
    ]);
  });
});

describe('the per-stream hash chain', () => {
  it('verifies a stream built over several appends, some shared with other streams', async () => {
    await appendEndpoint('endpoint-intact', 0, [updated(1)]);
    await db.transaction((tx) =>
      store.append(tx, [
        { streamId: 'endpoint-other', streamType: 'endpoint', expectedVersion: 0, events: [updated(1)] },
        { streamId: 'endpoint-intact', streamType: 'endpoint', expectedVersion: 1, events: [updated(2), updated(3)] },
      ]),
    );

    expect(await reader.verifyStream(db.manager, 'endpoint-intact')).toBeNull();
    expect(await reader.verifyStream(db.manager, 'endpoint-other')).toBeNull();
  });

  it.each([
    ['data', `data = '{"n": 99}'`],
    ['metadata', `metadata = '{"actor": "someone-else"}'`],
    ['type', `type = 'EndpointDeleted'`],
    ['recorded_at', `recorded_at = recorded_at - interval '1 day'`],
  ])('names the rewritten version when %s is changed behind the trigger', async (column, assignment) => {
    const streamId = `endpoint-${column}`;
    await appendEndpoint(streamId, 0, [updated(1), updated(2)]);
    await appendEndpoint(streamId, 2, [updated(3)]);
    expect(await reader.verifyStream(db.manager, streamId)).toBeNull();

    await tamper(`UPDATE events SET ${assignment} WHERE stream_id = $1 AND stream_version = 2`, [streamId]);

    expect(await reader.verifyStream(db.manager, streamId)).toBe(2);
    expect(await reader.verifyStream(db.manager, 'endpoint-intact')).toBeNull();
  });

  it('names the version after a hole when an event is deleted behind the trigger', async () => {
    await appendEndpoint('endpoint-hole', 0, [updated(1), updated(2), updated(3)]);

    await tamper(`DELETE FROM events WHERE stream_id = $1 AND stream_version = 2`, ['endpoint-hole']);

    expect(await reader.verifyStream(db.manager, 'endpoint-hole')).toBe(3);
  });

  it('names the first missing version when the newest events of a stream are deleted behind the trigger', async () => {
    await appendEndpoint('endpoint-truncated', 0, [updated(1), updated(2), updated(3)]);

    await tamper(`DELETE FROM events WHERE stream_id = $1 AND stream_version = 3`, ['endpoint-truncated']);

    expect(await reader.verifyStream(db.manager, 'endpoint-truncated')).toBe(3);
  });
});
