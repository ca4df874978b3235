import { replayCompleted, replayPageDispatched, replayRecorded, replayRequested, replayStreamId } from '@hookledger/domain';
import { replaysProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const on = (id: string, event: GivenEvent['event'], second: number, actor = 'system:scheduler'): GivenEvent =>
  ({ streamId: replayStreamId(id), event, recordedAt: at(second), metadata: { actor } });
const spec = () => projectorSpec(replaysProjector, database.current);

const since = '2023-12-31T00:00:00.000Z';
const until = '2024-01-01T00:00:00.000Z';
const requested = (id: string, total = 450) => replayRequested({ replay_id: id, endpoint_id: 'ep_1', tenant_id: 'acme', since, until, status: 'failed', total });
const row = (fields: Record<string, unknown>) => ({
  endpoint_id: 'ep_1', tenant_id: 'acme', since: new Date(since), until: new Date(until), status: 'failed', state: 'running',
  cursor: null, total: 450, dispatched: 0, created_by: 'api-key:key_1', completed_at: null, ...fields,
});

describe('the replays projection', () => {
  it('a requested replay is a running row, created by its requester at the event time', async () => {
    await spec()
      .given(on('rpl_1', requested('rpl_1'), 1, 'api-key:key_1'))
      .then('replays', [row({ id: 'rpl_1', created_at: at(1), updated_at: at(1) })]);
  });

  it('pages move the cursor and add what they handled; completion stamps completed_at', async () => {
    await spec()
      .given(
        on('rpl_1', requested('rpl_1'), 1, 'api-key:key_1'),
        on('rpl_1', replayPageDispatched({ cursor: 'dlv_200', handled: 200, sent: 198 }), 2),
        on('rpl_1', replayPageDispatched({ cursor: 'dlv_450', handled: 250, sent: 250 }), 3),
        on('rpl_1', replayCompleted('finished'), 3),
      )
      .then('replays', [row({ id: 'rpl_1', cursor: 'dlv_450', dispatched: 450, state: 'completed', created_at: at(1), updated_at: at(3), completed_at: at(3) })]);
  });

  it('nothing matched: requested and completed in one append, at one time', async () => {
    await spec()
      .given(on('rpl_0', requested('rpl_0', 0), 4, 'api-key:key_1'), on('rpl_0', replayCompleted('nothing_matched'), 4, 'api-key:key_1'))
      .then('replays', [row({ id: 'rpl_0', total: 0, state: 'completed', created_at: at(4), updated_at: at(4), completed_at: at(4) })]);
  });

  it('a replay recorded by the upgrade is its row as it stood, to the microsecond, and goes on from there', async () => {
    const recorded = replayRecorded({
      replay_id: 'rpl_old', endpoint_id: 'ep_1', tenant_id: 'acme', since: '2023-12-31T00:00:00.000001Z', until: '2023-12-31T12:00:00.123456Z',
      status: 'all', total: 300, state: 'running', cursor: 'dlv_200', dispatched: 200, completion: null, created_by: null,
      created_at: '2023-12-31T12:00:00.123456Z', updated_at: '2023-12-31T12:05:00.654321Z', completed_at: null,
    });
    const rows = await spec()
      .given(on('rpl_old', recorded, 9, 'system:migration'), on('rpl_old', replayPageDispatched({ cursor: 'dlv_300', handled: 100, sent: 100 }), 10))
      .query(`SELECT id, since::text, until::text, status, state, cursor, total, dispatched, created_by, created_at::text, updated_at, completed_at
                FROM replays`);
    expect(rows).toEqual([{
      id: 'rpl_old', since: '2023-12-31 00:00:00.000001+00', until: '2023-12-31 12:00:00.123456+00', status: 'all', state: 'running',
      cursor: 'dlv_300', total: 300, dispatched: 300, created_by: null, created_at: '2023-12-31 12:00:00.123456+00', updated_at: at(10), completed_at: null,
    }]);
  });

  it('keeps each stream to its own row and skips event types it does not know', async () => {
    await spec()
      .given(
        on('rpl_a', requested('rpl_a'), 1, 'api-key:key_1'),
        on('rpl_b', requested('rpl_b'), 2, 'api-key:key_1'),
        on('rpl_a', { type: 'ReplayPaused', data: {} }, 3),
        on('rpl_b', replayCompleted('endpoint_deleted'), 4),
      )
      .then('replays', [
        row({ id: 'rpl_a', created_at: at(1), updated_at: at(1) }),
        row({ id: 'rpl_b', state: 'completed', created_at: at(2), updated_at: at(4), completed_at: at(4) }),
      ]);
  });
});
