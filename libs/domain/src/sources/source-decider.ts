import { Decider, DomainRuleError } from '../domain-event';
import { planRotation } from '../endpoints/endpoint-signing-keys';
import type { SourceCommand } from './source-commands';
import { SourceEvent, sourceCreated, sourceDeleted, sourceSecretRotated, sourceUpdated } from './source-events';
import { evolveSource, initialSourceState, SourceState } from './source-state';

const MAX_NAME_LENGTH = 200;

function checkName(name: string): void {
  if (name.trim().length === 0 || name.length > MAX_NAME_LENGTH) throw new DomainRuleError('invalid', `name must be 1–${MAX_NAME_LENGTH} characters`, 'name');
}

function existing(state: SourceState, id: string): Exclude<SourceState, { status: 'absent' }> {
  if (state.status !== 'active') throw new DomainRuleError('not_found', `Source ${id} does not exist.`);
  return state;
}

export const sourceDecider: Decider<SourceCommand, SourceState, SourceEvent> = {
  initialState: initialSourceState,
  decide(command, state) {
    switch (command.kind) {
      case 'CreateSource': {
        if (state.status !== 'absent') throw new DomainRuleError('conflict', `Source ${command.source_id} already exists.`);
        checkName(command.name);
        const { kind: _kind, ...data } = command;
        return [sourceCreated(data)];
      }
      case 'UpdateSource': {
        const current = existing(state, command.source_id);
        if (command.name === undefined || command.name === current.name) return [];
        checkName(command.name);
        return [sourceUpdated(command.source_id, { name: command.name })];
      }
      case 'RotateSourceSecret': {
        const plan = planRotation(existing(state, command.source_id).keys, command.now, command.grace_period_s);
        return [sourceSecretRotated({
          source_id: command.source_id, secret_key_id: command.secret_key_id, grace_period_s: command.grace_period_s,
          previous_expire_at: plan.previous_expire_at, retired_key_ids: [...plan.retired_key_ids],
        })];
      }
      case 'DeleteSource':
        return state.status === 'active' ? [sourceDeleted(command.source_id)] : [];
    }
  },
  evolve: evolveSource,
};
