import { DomainRuleError, foldEvents } from '../domain-event';
import type { SourceCommand } from './source-commands';
import { sourceDecider } from './source-decider';
import { readSourceEvent, SourceEvent, sourceCreated, sourceDeleted, sourceSecretRotated, sourceUpdated } from './source-events';

const ID = 'src_01JD0000000000000000000000';
const created = sourceCreated({ source_id: ID, tenant_id: 'acme', type: 'github', name: 'repo pushes', secret_key_id: 'key_1' });
const now = new Date('2026-01-01T00:00:00.000Z');

function given(...history: SourceEvent[]) {
  return {
    when: (command: SourceCommand) => {
      const decide = () => sourceDecider.decide(command, foldEvents(sourceDecider, history));
      return {
        then: (expected: readonly SourceEvent[]) => expect(decide()).toEqual(expected),
        thenRefuses: (kind: DomainRuleError['kind'], message: RegExp) => {
          expect(decide).toThrow(message);
          try {
            decide();
          } catch (error) {
            expect((error as DomainRuleError).kind).toBe(kind);
          }
        },
      };
    },
  };
}

const rotate = (key: string, grace: number, at = now): SourceCommand => ({ kind: 'RotateSourceSecret', source_id: ID, secret_key_id: key, grace_period_s: grace, now: at });

describe('creating a source', () => {
  it('a new id: the source is created naming its sealed key', () => {
    given().when({ kind: 'CreateSource', source_id: ID, tenant_id: 'acme', type: 'github', name: 'repo pushes', secret_key_id: 'key_1' }).then([created]);
  });

  it('an id already used is a conflict; a blank name is invalid', () => {
    given(created).when({ kind: 'CreateSource', source_id: ID, tenant_id: 'acme', type: 'stripe', name: 'x', secret_key_id: 'key_2' }).thenRefuses('conflict', /already exists/);
    given().when({ kind: 'CreateSource', source_id: ID, tenant_id: 'acme', type: 'stripe', name: '  ', secret_key_id: 'key_2' }).thenRefuses('invalid', /name/);
  });
});

describe('changing a source', () => {
  it('records a new name, and nothing when the name is the same or not given', () => {
    given(created).when({ kind: 'UpdateSource', source_id: ID, name: 'org pushes' }).then([sourceUpdated(ID, { name: 'org pushes' })]);
    given(created).when({ kind: 'UpdateSource', source_id: ID, name: 'repo pushes' }).then([]);
    given(created).when({ kind: 'UpdateSource', source_id: ID }).then([]);
  });

  it('a deleted or unknown source is not found', () => {
    given(created, sourceDeleted(ID)).when({ kind: 'UpdateSource', source_id: ID, name: 'x' }).thenRefuses('not_found', /does not exist/);
    given().when(rotate('key_2', 60)).thenRefuses('not_found', /does not exist/);
  });
});

describe('rotating a source secret', () => {
  it('the current key keeps verifying until the grace period ends', () => {
    given(created).when(rotate('key_2', 3600)).then([sourceSecretRotated({
      source_id: ID, secret_key_id: 'key_2', grace_period_s: 3600, previous_expire_at: '2026-01-01T01:00:00.000Z', retired_key_ids: [],
    })]);
  });

  it('a zero grace period retires every key at once', () => {
    given(created).when(rotate('key_2', 0)).then([sourceSecretRotated({
      source_id: ID, secret_key_id: 'key_2', grace_period_s: 0, previous_expire_at: null, retired_key_ids: ['key_1'],
    })]);
  });

  it('the state keeps the new key first and the old one with its end', () => {
    const state = foldEvents(sourceDecider, [created, sourceSecretRotated({
      source_id: ID, secret_key_id: 'key_2', grace_period_s: 3600, previous_expire_at: '2026-01-01T01:00:00.000Z', retired_key_ids: [],
    })]);
    expect(state.status === 'active' && state.keys).toEqual([{ key_id: 'key_2', expires_at: null }, { key_id: 'key_1', expires_at: '2026-01-01T01:00:00.000Z' }]);
  });
});

describe('deleting a source', () => {
  it('is recorded once; a second delete records nothing', () => {
    given(created).when({ kind: 'DeleteSource', source_id: ID }).then([sourceDeleted(ID)]);
    given(created, sourceDeleted(ID)).when({ kind: 'DeleteSource', source_id: ID }).then([]);
  });
});

describe('reading stored source events', () => {
  it('reads known types and skips unknown ones', () => {
    expect(readSourceEvent({ type: 'SourceDeleted', schema_version: 1, data: { source_id: ID } })).toEqual(sourceDeleted(ID));
    expect(readSourceEvent({ type: 'SourceRenamed', data: {} })).toBeNull();
  });
});
