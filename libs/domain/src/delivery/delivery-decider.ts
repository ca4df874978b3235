import { Decider, DomainRuleError } from '../domain-event';
import type { DeliveryCommand } from './delivery-commands';
import { DeliveryEvent, deliveryDeferred, deliveryFailed, deliveryRequeued, deliveryScheduled } from './delivery-events';
import { DeliveryState, evolve, initialDeliveryState } from './delivery-state';
import { IllegalDeliveryStateError, attemptRefusal, decideAttemptRecorded } from './record-attempt';

/**
 * A delivery's whole lifecycle. The happy path stays two appends and two events (scheduled by
 * ingest; a delivered DeliveryAttempted, version 3, by the dispatcher): nothing here adds an event to it. The retry
 * work queue's claims (the scheduler publishing a due dispatch) are operational state, not events.
 */
export const deliveryDecider: Decider<DeliveryCommand, DeliveryState, DeliveryEvent> = {
  initialState: initialDeliveryState,
  decide(command, state): readonly DeliveryEvent[] {
    switch (command.type) {
      case 'ScheduleDelivery':
        if (state.delivery_id !== null) throw new DomainRuleError('conflict', `delivery ${state.delivery_id} is already scheduled`);
        return [deliveryScheduled(command.data)];
      case 'RecordDeliveryAttempt': {
        const { jitter, ...rest } = command.data;
        requireAttemptAllowed(state, rest.attempt);
        return asInvalid(() => decideAttemptRecorded({ state, ...rest, random: () => jitter }));
      }
      case 'DeferDeliveryAttempt':
        requireAttemptAllowed(state, command.data);
        // Holding a manual attempt on a finished delivery would be a lie: the scheduler releases
        // held deliveries as scheduled attempts, which a finished delivery refuses.
        if (isFinished(state)) return [];
        return [deliveryDeferred({ attempt: command.data.attempt, reason: command.data.reason })];
      case 'EndDeliveryForGoneEndpoint':
        requireAttemptAllowed(state, command.data);
        // A finished delivery stays as it ended: a late manual command must not turn a success into a failure.
        if (isFinished(state)) return [];
        return [deliveryFailed({ attempts: state.attempts, reason: command.data.reason })];
      case 'EndDeliveryForPurgedPayload':
        requireAttemptAllowed(state, command.data);
        if (isFinished(state)) return [];
        return [deliveryFailed({ attempts: state.attempts, reason: 'payload_purged' })];
      case 'RequeueDelivery':
        if (state.delivery_id === null) throw new DomainRuleError('not_found', 'the delivery was never scheduled');
        return [deliveryRequeued({ attempt: state.attempts + 1, replay_id: command.data.replay_id })];
    }
  },
  evolve,
};

/** A stale or misplaced attempt is a conflict the dispatcher acks and skips (a redelivered command). */
function requireAttemptAllowed(state: DeliveryState, command: Parameters<typeof attemptRefusal>[1]): void {
  const refusal = attemptRefusal(state, command);
  if (refusal) throw new DomainRuleError(state.delivery_id === null ? 'not_found' : 'conflict', refusal);
}

/** An attempt the decider cannot record (a success without a status code) is a caller's bug. */
function asInvalid(decide: () => readonly DeliveryEvent[]): readonly DeliveryEvent[] {
  try {
    return decide();
  } catch (error) {
    if (error instanceof IllegalDeliveryStateError) throw new DomainRuleError('invalid', error.message);
    throw error;
  }
}

const isFinished = (state: DeliveryState): boolean => state.status === 'succeeded' || state.status === 'failed';
