import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { PROJECTORS, rebuildProjection } from '@hookledger/event-store';
import { openDataSource, rowDifference, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * Projections still written by hand while issue 12 converts them (one helper per aggregate): each
 * leaves this list when its projector lands — the spec fails until it does, so the list only shrinks.
 */
const BEING_CONVERTED: readonly string[] = [];
/**
 * Columns of a projection that are operational state written beside it, not history: a rebuild
 * gives them new values by design. `endpoints.index_version` is the subscription index's stamp
 * (migration 016's trigger), which tells ingest which endpoints to reload.
 */
const NOT_FROM_EVENTS: Record<string, readonly string[]> = { endpoints: ['index_version'] };

interface TableWriter { readonly table: string; readonly kind: 'store' | 'projection' | 'operational'; readonly writer: string }

/** The table "Every table and its single writer" of docs/event-sourcing.md: the one list of who writes what. */
function documentedWriters(): TableWriter[] {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'event-sourcing.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## 6. Every table and its single writer'));
  return [...section.matchAll(/^\| `([a-z_]+)` \| (store|projection|operational) \| (.+) \|$/gm)]
    .map(([, table, kind, writer]) => ({ table, kind: kind as TableWriter['kind'], writer }));
}

describe('every projection rebuilds from the store to the rows the live system wrote', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let db: DataSource;
  /** The live rows are snapshotted into scratch tables to compare with a rebuild: only the owner may create tables. */
  let owner: DataSource;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // Failures below are deliberate: opening the circuit is another spec's subject.
    system = await TestSystem.start({ env: { HOOKS_CIRCUIT_MIN_REQUESTS: '100000', HOOKS_CIRCUIT_CONSECUTIVE_FAILURES: '100000' } });
    db = await openDataSource(system.database, 2);
    owner = await openDataSource(system.database, 1, 'owner');
  });

  afterAll(async () => {
    await owner?.destroy();
    await db?.destroy();
    await system?.stop();
    await receiver?.close();
  });

  async function call(method: string, path: string, body?: unknown, expected = [200, 201, 202, 204]) {
    const answer = await system.request(method, path, body === undefined ? {} : { body });
    if (!expected.includes(answer.status)) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  const deliveriesOf = async (endpointId: string, status: string): Promise<{ id: string }[]> =>
    (await call('GET', `/v1/deliveries?endpoint_id=${endpointId}&status=${status}&limit=100`)).data;

  /** The e2e scenarios' kinds of changes, through the API: catalog, tenants and keys, endpoints' whole lives, deliveries retried, failed and replayed. */
  async function driveTheSystem(): Promise<void> {
    await call('POST', '/v1/event-types', { name: 'order.paid', description: 'paid' });
    await call('POST', '/v1/event-types', { name: 'order.voided' });
    await call('PATCH', '/v1/event-types/order.paid', { description: 'paid in full' });
    await call('DELETE', '/v1/event-types/order.voided');

    await call('POST', '/v1/tenants', { id: 'acme', name: 'Acme', branding: { name: 'Acme Hooks', accent_color: '#0a7cff' } });
    await call('PATCH', '/v1/tenants/acme', { name: 'Acme Inc' });
    await call('PATCH', '/v1/tenants/acme', { branding: { logo_url: 'https://cdn.acme.test/logo.svg', accent_color: null } });
    await call('POST', '/v1/tenants', { id: 'gone', name: 'Gone' });
    await call('DELETE', '/v1/tenants/gone');
    const key = await call('POST', '/v1/api-keys', { name: 'acme ops', role: 'admin', tenant_id: 'acme' });
    await call('POST', '/v1/api-keys', { name: 'reader', role: 'reader' });
    await call('DELETE', `/v1/api-keys/${key.id}`);

    let failing = true;
    receiver.answer('/rebuild-flaky', () => (failing ? { status: 500 } : { status: 200 }));
    const steady = await call('POST', '/v1/endpoints', { url: receiver.url('/rebuild-ok'), event_types: ['order.paid'] });
    const flaky = await call('POST', '/v1/endpoints', { url: receiver.url('/rebuild-flaky'), event_types: ['order.paid'], retry_schedule: [] });
    const doomed = await call('POST', '/v1/endpoints', { url: receiver.url('/rebuild-doomed'), event_types: ['order.voided'] });
    await call('PATCH', `/v1/endpoints/${steady.id}`, { description: 'the steady one' });
    await call('POST', `/v1/endpoints/${steady.id}/pause`);
    await call('POST', `/v1/endpoints/${steady.id}/resume`);
    await call('POST', `/v1/endpoints/${steady.id}/secret/rotate`, {});
    await call('POST', `/v1/endpoints/${doomed.id}/disable`, {});
    await call('POST', `/v1/endpoints/${doomed.id}/enable`);
    await call('DELETE', `/v1/endpoints/${doomed.id}`);
    // A chat provider's type, options (its bot token by key id) and template come back from the events too.
    const chat = await call('POST', '/v1/endpoints', {
      type: 'telegram', event_types: ['chat.unsent'], provider: { bot_token: '123456:rebuild-bot-token', chat_id: '-100' }, template: '<b>{{type}}</b>',
    });
    await call('PATCH', `/v1/endpoints/${chat.id}`, { provider: { chat_id: '-200' }, template: null });

    const source = await call('POST', '/v1/sources', { type: 'github', name: 'pushes', tenant_id: 'acme' });
    await call('PATCH', `/v1/sources/${source.id}`, { name: 'org pushes' });
    await call('POST', `/v1/sources/${source.id}/secret/rotate`, { grace_period_s: 3600 });
    await call('POST', `/v1/sources/${source.id}/secret/rotate`, { grace_period_s: 0, secret: 'a-secret-of-our-own' });
    const leaving = await call('POST', '/v1/sources', { type: 'stripe', name: 'billing', secret: 'whsec_from_the_dashboard' });
    await call('DELETE', `/v1/sources/${leaving.id}`);

    const since = new Date(Date.now() - 1000).toISOString();
    for (let n = 1; n <= 6; n++) await call('POST', '/v1/events', { type: 'order.paid', data: { n } });
    const failed = await eventually(async () => {
      const rows = await deliveriesOf(flaky.id, 'failed');
      return rows.length === 6 ? rows : undefined;
    }, 'six failed deliveries', 30_000);
    failing = false;
    await call('POST', `/v1/deliveries/${failed[0].id}/retry`);
    await eventually(async () => ((await deliveriesOf(flaky.id, 'failed')).length === 5 ? true : undefined), 'the retried delivery to succeed', 30_000);
    const replay = await call('POST', `/v1/endpoints/${flaky.id}/replay`, { since });
    await eventually(async () => ((await call('GET', `/v1/replays/${replay.id}`)).state === 'completed' ? true : undefined), 'the replay', 30_000);
    await eventually(async () => ((await deliveriesOf(flaky.id, 'succeeded')).length === 6 ? true : undefined), 'every delivery to succeed', 30_000);
    await eventually(async () => ((await deliveriesOf(steady.id, 'succeeded')).length === 6 ? true : undefined), 'the steady endpoint’s deliveries', 30_000);
  }

  /**
   * Async projections are compared once caught up with the store: no event after their checkpoint,
   * in the (transaction id, position) order the reader walks (the last event in that order need not
   * hold the highest position).
   */
  async function caughtUp(name: string): Promise<void> {
    await eventually(async () => {
      const [row] = await db.query(
        `SELECT NOT EXISTS (SELECT 1 FROM events e WHERE (e.transaction_id, e.global_position) >
                  coalesce((SELECT (c.transaction_id, c.global_position) FROM reader_checkpoints c WHERE c.name = $1), ('0'::xid8, 0::bigint))) AS done`,
        [name]);
      return row.done ? true : undefined;
    }, `${name} to catch up`, 30_000);
  }

  /**
   * A projection's columns, less the operational ones written beside it (see NOT_FROM_EVENTS), to
   * copy (`copy`) and to compare (`compare`): json has no equality, so it is compared as its text —
   * byte for byte, which is what `messages.data` promises.
   */
  async function columnsOf(table: string): Promise<{ copy: string; compare: string }> {
    const rows: { column_name: string; data_type: string }[] = await db.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, [table]);
    const kept = rows.filter((row) => !(NOT_FROM_EVENTS[table] ?? []).includes(row.column_name));
    return {
      copy: kept.map((row) => `"${row.column_name}"`).join(', '),
      compare: kept.map((row) => (row.data_type === 'json' ? `"${row.column_name}"::text` : `"${row.column_name}"`)).join(', '),
    };
  }

  const difference = (a: string, b: string, columns: string) => rowDifference(owner, a, b, columns);

  it('lists every table of the database with its one writer, and every projector writes the tables listed as its own', async () => {
    const documented = documentedWriters();
    const tables: { tablename: string }[] = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    expect(documented.map((t) => t.table).sort()).toEqual(tables.map((t) => t.tablename));

    const projectorOf = new Map(PROJECTORS.flatMap((projector) => projector.tables.map((table) => [table, projector.name] as const)));
    for (const { table, kind, writer } of documented) {
      if (kind !== 'projection') {
        expect({ table, projector: projectorOf.get(table) }).toEqual({ table, projector: undefined });
      } else if (projectorOf.has(table)) {
        expect({ table, writer }).toEqual({ table, writer: expect.stringContaining(`\`${projectorOf.get(table)}\` projector`) });
        expect({ table, stillBeingConverted: BEING_CONVERTED.includes(table) }).toEqual({ table, stillBeingConverted: false });
      } else {
        expect({ table, waitingForItsProjector: BEING_CONVERTED.includes(table) }).toEqual({ table, waitingForItsProjector: true });
      }
    }
  });

  it('for every projector: snapshot, rebuild, equal row for row (EXCEPT both ways); rebuild again, equal again', async () => {
    await driveTheSystem();
    for (const projector of PROJECTORS) {
      if (projector.mode === 'async') await caughtUp(projector.name);
      const columns = new Map<string, { copy: string; compare: string }>();
      for (const table of projector.tables) columns.set(table, await columnsOf(table));
      for (const table of projector.tables) await owner.query(`CREATE TABLE "live_${table}" AS SELECT ${columns.get(table)!.copy} FROM "${table}"`);
      const rebuilt = await rebuildProjection(db, projector, { batchSize: 7 });
      expect(rebuilt.events).toBeGreaterThan(0);
      for (const table of projector.tables) {
        expect({ table, difference: await difference(`live_${table}`, table, columns.get(table)!.compare) }).toEqual({ table, difference: [] });
        await owner.query(`CREATE TABLE "first_${table}" AS SELECT ${columns.get(table)!.copy} FROM "${table}"`);
      }
      await rebuildProjection(db, projector);
      for (const table of projector.tables) {
        expect({ table, again: await difference(`first_${table}`, table, columns.get(table)!.compare) }).toEqual({ table, again: [] });
        await owner.query(`DROP TABLE "live_${table}", "first_${table}"`);
      }
    }
  });
});
