import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { messagePayloadContext, tenantStreamId } from '@hookledger/domain';
import { AggregateRepository, tenantAggregate } from '@hookledger/event-store';
import { TenantDataKeys } from '@hookledger/secrets';
import { TestInfrastructure } from '@hookledger/testing';
import { PayloadRetention } from './payload-retention';

let infrastructure: TestInfrastructure;
let schedulers: TestingModule[];
let db: DataSource;

const DAY = 86_400_000;
const NOW = new Date('2024-06-10T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const operator = { actor: 'test' };

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  // Two schedulers on one database; not init(): the tests run them by hand, with their own clock.
  schedulers = [
    await infrastructure.compile({ name: 'test-retention-a', providers: [PayloadRetention] }),
    await infrastructure.compile({ name: 'test-retention-b', providers: [PayloadRetention] }),
  ];
  db = schedulers[0].get(DataSource);
});

afterAll(async () => {
  await infrastructure?.close();
});

async function createTenant(id: string, days: number | null): Promise<void> {
  await schedulers[0].get(AggregateRepository).handle(tenantAggregate, tenantStreamId(id), {
    type: 'CreateTenant', tenant_id: id, name: id, metadata: {}, quotas: { max_endpoints: null, max_events_per_month: null }, payload_retention_days: days,
  }, operator);
}

/** A payload of the tenant sealed as of `at`, and how to open it later (with a process of its own, no cache shared). */
async function sealedAt(tenantId: string, at: Date) {
  const context = messagePayloadContext(tenantId, `m-${at.getTime()}`);
  const sealed = await schedulers[0].get(TenantDataKeys).sealOne(tenantId, `{"at":"${at.toISOString()}"}`, context, at);
  return { at, open: () => schedulers[1].get(TenantDataKeys).open(sealed, tenantId, context) };
}

describe('payload retention', () => {
  it("destroys the keys of days that ended the tenant's retention ago, records it once, and leaves the rest readable", async () => {
    await createTenant('short', 2);
    await createTenant('keeps', null);
    const short = await Promise.all([5, 3, 2, 1, 0].map((days) => sealedAt('short', daysAgo(days))));
    const kept = await sealedAt('keeps', daysAgo(400));

    const runs = await schedulers[0].get(PayloadRetention).purge(NOW);

    // Retention 2 at 2024-06-10T12:00: the days of 06-05 and 06-07 ended by 06-08T00:00, two days before 06-10T00:00.
    expect(runs).toEqual([{ tenant_id: 'short', before: new Date('2024-06-08T00:00:00.000Z'), keys_destroyed: 2 }]);
    const opened = await Promise.all(short.map(async (payload) => (await payload.open()).text !== null));
    expect(opened).toEqual([false, false, true, true, true]);
    expect(await short[0].open()).toMatchObject({ text: null, purged_for: 'retention' });
    expect((await kept.open()).text).toBe(`{"at":"${daysAgo(400).toISOString()}"}`);

    const events: { type: string; data: Record<string, unknown> }[] = await db.query(
      `SELECT type, data FROM events WHERE stream_id = $1 ORDER BY stream_version`, [tenantStreamId('short')]);
    const destroyedIds: { id: string }[] = await db.query(`SELECT id FROM tenant_data_keys WHERE tenant_id = 'short' AND destroyed_for = 'retention' ORDER BY id`);
    expect(events.map((event) => event.type)).toEqual(['TenantCreated', 'TenantPayloadsPurged']);
    expect(events[1].data).toEqual({
      id: 'short', before: '2024-06-08T00:00:00.000Z', payload_retention_days: 2, keys_destroyed: 2, key_ids: destroyedIds.map((row) => row.id),
    });
    expect(await db.query(`SELECT hl_verify_stream($1) AS broken`, [tenantStreamId('short')])).toEqual([{ broken: null }]);
  });

  it('is idempotent and safe with several schedulers: running again, twice at once, destroys and records nothing more', async () => {
    const before: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM events`);
    const runs = await Promise.all(schedulers.map((scheduler) => scheduler.get(PayloadRetention).purge(NOW)));
    expect(runs).toEqual([[], []]);
    expect(await db.query(`SELECT count(*)::int AS n FROM events`)).toEqual(before);
  });

  it('a day later purges the next day only; a tenant whose retention was lifted is left alone; a deleted tenant is still purged', async () => {
    await createTenant('leaving', 1);
    const leaving = await sealedAt('leaving', daysAgo(3));
    await schedulers[0].get(AggregateRepository).handle(tenantAggregate, tenantStreamId('leaving'), { type: 'DeleteTenant', tenant_id: 'leaving' }, operator);
    await createTenant('lifted', 1);
    const lifted = await sealedAt('lifted', daysAgo(3));
    await schedulers[0].get(AggregateRepository).handle(tenantAggregate, tenantStreamId('lifted'), { type: 'UpdateTenant', tenant_id: 'lifted', payload_retention_days: null }, operator);

    const runs = await schedulers[1].get(PayloadRetention).purge(new Date(NOW.getTime() + DAY));

    expect(runs).toEqual([
      { tenant_id: 'leaving', before: new Date('2024-06-10T00:00:00.000Z'), keys_destroyed: 1 },
      { tenant_id: 'short', before: new Date('2024-06-09T00:00:00.000Z'), keys_destroyed: 1 },
    ]);
    expect((await leaving.open()).text).toBeNull();
    expect((await lifted.open()).text).not.toBeNull();
  });
});
