import { DomainRuleError, foldEvents } from '../domain-event';
import type { ReplayCommand, RequestReplay } from './replay-commands';
import { replayDecider } from './replay-decider';
import { ReplayEvent, readReplayEvent, replayCompleted, replayPageDispatched, replayRecorded, replayRequested } from './replay-events';

const request: RequestReplay['data'] = {
  replay_id: 'rpl_1', endpoint_id: 'ep_1', tenant_id: 'acme', endpoint_active: true,
  since: '2024-01-01T00:00:00.000Z', until: '2024-01-02T00:00:00.000Z', status: 'failed', total: 450,
};
const { endpoint_active: _active, ...requestedData } = request;
const requested = replayRequested(requestedData);
const page = (cursor: string | null, handled: number, last = false, sent = handled): ReplayCommand => ({ type: 'DispatchReplayPage', data: { cursor, handled, sent, last } });

/** Given a replay's past events, when a command is decided, then these events follow (or it is refused). */
function given(...history: ReplayEvent[]) {
  return {
    when: (command: ReplayCommand) => {
      const decide = () => replayDecider.decide(command, foldEvents(replayDecider, history));
      return {
        then: (expected: readonly ReplayEvent[]) => expect(decide()).toEqual(expected),
        thenRefuses: (kind: DomainRuleError['kind'], message: RegExp) => {
          expect(decide).toThrow(expect.objectContaining({ name: 'DomainRuleError', kind, message: expect.stringMatching(message) }));
        },
      };
    },
  };
}

describe('requesting a replay', () => {
  it('records what it covers and how many deliveries matched', () => {
    given().when({ type: 'RequestReplay', data: request }).then([requested]);
  });

  it('nothing matched: requested and completed at once', () => {
    const { endpoint_active: _, ...empty } = { ...request, total: 0 };
    given().when({ type: 'RequestReplay', data: { ...request, total: 0 } }).then([replayRequested(empty), replayCompleted('nothing_matched')]);
  });

  it('a disabled endpoint: refused as a conflict', () => {
    given().when({ type: 'RequestReplay', data: { ...request, endpoint_active: false } }).thenRefuses('conflict', /disabled/);
  });

  it('until not after since: refused on until', () => {
    given().when({ type: 'RequestReplay', data: { ...request, until: request.since } }).thenRefuses('invalid', /until must be after since/);
  });

  it('the same replay id twice: a conflict', () => {
    given(requested).when({ type: 'RequestReplay', data: request }).thenRefuses('conflict', /already exists/);
  });
});

describe('dispatching pages', () => {
  it('a full page moves the cursor', () => {
    given(requested).when(page('dlv_200', 200, false, 198)).then([replayPageDispatched({ cursor: 'dlv_200', handled: 200, sent: 198 })]);
  });

  it('a short page is the last: the replay finishes', () => {
    given(requested, replayPageDispatched({ cursor: 'dlv_200', handled: 200, sent: 200 }))
      .when(page('dlv_250', 50, true))
      .then([replayPageDispatched({ cursor: 'dlv_250', handled: 50, sent: 50 }), replayCompleted('finished')]);
  });

  it('an empty last page only completes the replay', () => {
    given(requested, replayPageDispatched({ cursor: 'dlv_200', handled: 200, sent: 200 })).when(page(null, 0, true)).then([replayCompleted('finished')]);
  });

  it('a page for a completed replay: a conflict', () => {
    given(requested, replayCompleted('finished')).when(page('dlv_1', 1)).thenRefuses('conflict', /already completed/);
  });

  it('a page for a replay never requested: not found', () => {
    given().when(page('dlv_1', 1)).thenRefuses('not_found', /no such replay/);
  });

  it('more sent than handled: invalid', () => {
    given(requested).when(page('dlv_1', 1, false, 2)).thenRefuses('invalid', /at most/);
  });
});

describe('closing a replay whose endpoint was deleted', () => {
  it('a running replay completes', () => {
    given(requested).when({ type: 'CloseReplay', data: { reason: 'endpoint_deleted' } }).then([replayCompleted('endpoint_deleted')]);
  });

  it('a completed one stays as it was', () => {
    given(requested, replayCompleted('finished')).when({ type: 'CloseReplay', data: { reason: 'endpoint_deleted' } }).then([]);
  });
});

describe('evolve', () => {
  it('folds pages into the replay’s progress', () => {
    const state = foldEvents(replayDecider, [
      requested,
      replayPageDispatched({ cursor: 'dlv_200', handled: 200, sent: 200 }),
      replayPageDispatched({ cursor: 'dlv_250', handled: 50, sent: 10 }),
      replayCompleted('finished'),
    ]);
    expect(state).toEqual({ ...requestedData, state: 'completed', dispatched: 250, cursor: 'dlv_250', completion: 'finished' });
  });
});

describe('a replay recorded by the upgrade (its row before replays were streams)', () => {
  const recorded = (fields: Partial<Parameters<typeof replayRecorded>[0]>) => replayRecorded({
    ...requestedData, state: 'running', cursor: 'dlv_200', dispatched: 200, completion: null, created_by: 'api-key:key_1',
    created_at: '2024-01-01T10:00:00.123456Z', updated_at: '2024-01-01T10:05:00.654321Z', completed_at: null, ...fields,
  });

  it('continues where the row stood: the next page moves on from its cursor', () => {
    given(recorded({})).when(page('dlv_250', 50, true)).then([replayPageDispatched({ cursor: 'dlv_250', handled: 50, sent: 50 }), replayCompleted('finished')]);
    expect(foldEvents(replayDecider, [recorded({}), replayPageDispatched({ cursor: 'dlv_250', handled: 50, sent: 50 })]))
      .toMatchObject({ state: 'running', dispatched: 250, cursor: 'dlv_250' });
  });

  it('a completed one takes no more pages, and its id is taken', () => {
    const done = recorded({ state: 'completed', completion: 'finished', completed_at: '2024-01-01T10:06:00Z' });
    given(done).when(page('dlv_1', 1)).thenRefuses('conflict', /already completed/);
    given(done).when({ type: 'RequestReplay', data: request }).thenRefuses('conflict', /already exists/);
  });
});

describe('reading stored events', () => {
  it('reads every replay type as stored, and skips a type it does not know', () => {
    expect(readReplayEvent({ type: 'ReplayPageDispatched', schema_version: 1, data: { cursor: 'dlv_1', handled: 1, sent: 1 } }))
      .toEqual(replayPageDispatched({ cursor: 'dlv_1', handled: 1, sent: 1 }));
    expect(readReplayEvent({ type: 'ReplayPaused', data: {} })).toBeNull();
  });
});
