import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, TestDatabase } from '@hookledger/testing';
import { PublishLookups } from './publish-lookup';

let database: TestDatabase;
let db: DataSource;
/** Fixture rows are written as the owner: the app role reads these projections only. */
let owner: DataSource;
let lookups: PublishLookups;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database, 4);
  owner = await openDataSource(database, 1, 'owner');
  lookups = new PublishLookups(db);
  await owner.query(`INSERT INTO event_types (name, description, schema, archived_at, version) VALUES
    ('invoice.paid', '', '{"type": "object", "required": ["amount"]}', NULL, 3),
    ('legacy.ping', '', NULL, now(), 2),
    ('plain.type', '', NULL, NULL, 1)`);
  await owner.query(`INSERT INTO tenants (id, name, max_events_per_month, deleted_at) VALUES
    ('acme', 'Acme', 10, NULL), ('gone', 'Gone', NULL, now())`);
  await owner.query(`INSERT INTO messages (seq, id, tenant_id, type, data, timestamp) VALUES
    (1, 'evt-1', 'acme', 'invoice.paid', '{}', '2026-01-02T03:04:05Z'), (2, 'evt-1', 'default', 'other.type', '{}', '2026-01-01T00:00:00Z')`);
});

afterAll(async () => {
  await owner?.destroy();
  await db?.destroy();
  await database?.drop();
});

describe('PublishLookups', () => {
  it('reads the checked catalog entries, the live tenants\' quotas and the tenant\'s own duplicates in one statement', async () => {
    const lookup = await lookups.lookup([
      { type: 'invoice.paid', tenant_id: 'acme', id: 'evt-1' },
      { type: 'legacy.ping', tenant_id: 'default', id: 'evt-2' },
      { type: 'plain.type', tenant_id: 'gone' },
      { type: 'unknown.type', tenant_id: 'nobody', id: 'evt-1' },
    ]);
    expect(Object.fromEntries(lookup.catalog)).toEqual({
      'invoice.paid': { name: 'invoice.paid', schema: { type: 'object', required: ['amount'] }, archived: false, version: '3' },
      'legacy.ping': { name: 'legacy.ping', schema: null, archived: true, version: '2' },
    });
    // The migration's default tenant has no quota; a deleted tenant and an unknown one are missing.
    expect(Object.fromEntries(lookup.quotas)).toEqual({ acme: { max_events_per_month: '10' }, default: { max_events_per_month: null } });
    // evt-1 of acme is stored; default's evt-1 was not asked for (default published evt-2), nobody's does not exist.
    expect(Object.fromEntries(lookup.stored)).toEqual({ 'acme/evt-1': { type: 'invoice.paid', timestamp: new Date('2026-01-02T03:04:05Z') } });
  });

  it('answers the same on every pooled connection (the statement is prepared once per connection)', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => lookups.lookup([{ type: 'invoice.paid', tenant_id: 'default', id: 'evt-1' }])));
    for (const answer of answers) {
      expect([...answer.catalog.keys()]).toEqual(['invoice.paid']);
      expect([...answer.quotas.keys()]).toEqual(['default']);
      expect(Object.fromEntries(answer.stored)).toEqual({ 'default/evt-1': { type: 'other.type', timestamp: new Date('2026-01-01T00:00:00Z') } });
    }
  });
});
