import { Decider, DomainRuleError } from '../domain-event';
import type { DispatchReplayPage, ReplayCommand, RequestReplay } from './replay-commands';
import { ReplayEvent, replayCompleted, replayPageDispatched, replayRequested } from './replay-events';
import { ReplayState, evolveReplay, initialReplayState } from './replay-state';

/**
 * A replay job's rules. The API requests it; the scheduler's runner records each page it sends
 * and closes it. Its progress lives in its stream, so whichever scheduler picks it up next
 * continues from the last recorded page.
 */
export const replayDecider: Decider<ReplayCommand, ReplayState, ReplayEvent> = {
  initialState: initialReplayState,
  decide(command, state): readonly ReplayEvent[] {
    switch (command.type) {
      case 'RequestReplay':
        return request(command.data, state);
      case 'DispatchReplayPage':
        return dispatchPage(command.data, state);
      case 'CloseReplay':
        if (state.state === 'absent') throw new DomainRuleError('not_found', 'no such replay');
        return state.state === 'completed' ? [] : [replayCompleted(command.data.reason)];
    }
  },
  evolve: evolveReplay,
};

function request(data: RequestReplay['data'], state: ReplayState): readonly ReplayEvent[] {
  const { endpoint_active, ...requested } = data;
  if (state.state !== 'absent') throw new DomainRuleError('conflict', `replay ${data.replay_id} already exists`);
  if (!(Date.parse(data.until) > Date.parse(data.since))) throw new DomainRuleError('invalid', 'until must be after since', 'until');
  if (!Number.isInteger(data.total) || data.total < 0) throw new DomainRuleError('invalid', 'total must be a count of deliveries', 'total');
  if (!endpoint_active) {
    throw new DomainRuleError('conflict', `Endpoint ${data.endpoint_id} is disabled; enable it (POST /v1/endpoints/${data.endpoint_id}/enable) before replaying.`);
  }
  // A replay with nothing to do is over as soon as it begins: no runner ever needs to claim it.
  return data.total === 0 ? [replayRequested(requested), replayCompleted('nothing_matched')] : [replayRequested(requested)];
}

function dispatchPage(page: DispatchReplayPage['data'], state: ReplayState): readonly ReplayEvent[] {
  if (state.state === 'absent') throw new DomainRuleError('not_found', 'no such replay');
  if (state.state === 'completed') throw new DomainRuleError('conflict', `replay ${state.replay_id} is already completed`);
  if (!Number.isInteger(page.handled) || page.handled < 0 || page.sent < 0 || page.sent > page.handled) {
    throw new DomainRuleError('invalid', 'a page sends at most the deliveries it handled');
  }
  if ((page.handled > 0) !== (page.cursor !== null)) throw new DomainRuleError('invalid', 'a page with deliveries ends at one, an empty one at none');
  const events: ReplayEvent[] = [];
  // An empty last page (the previous one was exactly full) only completes the replay.
  if (page.cursor !== null) events.push(replayPageDispatched({ cursor: page.cursor, handled: page.handled, sent: page.sent }));
  if (page.last) events.push(replayCompleted('finished'));
  return events;
}
