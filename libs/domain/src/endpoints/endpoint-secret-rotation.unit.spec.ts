import { decideEndpoint } from './endpoint-decider';
import { EndpointEvent, endpointCreated, endpointSecretRotated } from './endpoint-events';
import { DEFAULT_ENDPOINT_SETTINGS } from './endpoint-settings';
import { keysInForce } from './endpoint-signing-keys';
import { endpointStateFrom, evolveEndpoint } from './endpoint-state';

const id = 'ep_1';
const t0 = new Date('2024-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const created = endpointCreated({
  ...DEFAULT_ENDPOINT_SETTINGS, url: 'https://example.com/hooks', id, tenant_id: 'acme', auth: null, adhoc: false, secret_key_id: 'key_1',
});

/** Given past events, when the secret is rotated at `now`, then this event follows and these keys sign. */
function given(...history: EndpointEvent[]) {
  const state = endpointStateFrom(history);
  return {
    whenRotated: (rotation: { key: string; grace: number; now: Date; profile?: 'standard-ed25519' | 'github' }) => {
      const events = decideEndpoint({
        type: 'RotateEndpointSecret', endpoint_id: id, secret_key_id: rotation.key, grace_period_s: rotation.grace, now: rotation.now,
        ...(rotation.profile && { signature_profile: rotation.profile }),
      }, state);
      const after = events.reduce(evolveEndpoint, state);
      return {
        then: (expected: EndpointEvent) => expect(events).toEqual([expected]),
        thenKeys: (keys: { key_id: string; expires_at: string | null }[]) => expect(after.signing_keys).toEqual(keys),
        thenProfile: (profile: string) => expect(after.signature_profile).toBe(profile),
      };
    },
  };
}

const rotatedAt = (seconds: number, key: string, grace: number, retired: string[] = []) => endpointSecretRotated({
  id, secret_key_id: key, grace_period_s: grace, previous_expire_at: grace > 0 ? at(seconds + grace).toISOString() : null, retired_key_ids: retired,
});

describe('rotating an endpoint’s signing secret', () => {
  it('the new key signs at once; the old one keeps signing through the grace period', () => {
    const when = given(created).whenRotated({ key: 'key_2', grace: 3600, now: t0 });
    when.then(endpointSecretRotated({ id, secret_key_id: 'key_2', grace_period_s: 3600, previous_expire_at: '2024-01-01T01:00:00.000Z', retired_key_ids: [] }));
    when.thenKeys([{ key_id: 'key_2', expires_at: null }, { key_id: 'key_1', expires_at: '2024-01-01T01:00:00.000Z' }]);
  });

  it('a zero grace period retires every previous key now', () => {
    const when = given(created).whenRotated({ key: 'key_2', grace: 0, now: t0 });
    when.then(endpointSecretRotated({ id, secret_key_id: 'key_2', grace_period_s: 0, previous_expire_at: null, retired_key_ids: ['key_1'] }));
    when.thenKeys([{ key_id: 'key_2', expires_at: null }]);
  });

  it('a shorter grace period cuts a longer running one short; a longer one never extends it', () => {
    given(created, rotatedAt(0, 'key_2', 3600))
      .whenRotated({ key: 'key_3', grace: 60, now: at(10) })
      .thenKeys([
        { key_id: 'key_3', expires_at: null },
        { key_id: 'key_2', expires_at: '2024-01-01T00:01:10.000Z' },
        { key_id: 'key_1', expires_at: '2024-01-01T00:01:10.000Z' },
      ]);
    given(created, rotatedAt(0, 'key_2', 60))
      .whenRotated({ key: 'key_3', grace: 3600, now: at(10) })
      .thenKeys([
        { key_id: 'key_3', expires_at: null },
        { key_id: 'key_2', expires_at: '2024-01-01T01:00:10.000Z' },
        { key_id: 'key_1', expires_at: '2024-01-01T00:01:00.000Z' },
      ]);
  });

  it('keys already expired are retired by the next rotation', () => {
    given(created, rotatedAt(0, 'key_2', 60))
      .whenRotated({ key: 'key_3', grace: 3600, now: at(120) })
      .then(endpointSecretRotated({
        id, secret_key_id: 'key_3', grace_period_s: 3600, previous_expire_at: '2024-01-01T01:02:00.000Z', retired_key_ids: ['key_1'],
      }));
  });

  it('switches the signature profile with the new key, and says from what to what', () => {
    const when = given(created).whenRotated({ key: 'key_2', grace: 60, now: t0, profile: 'standard-ed25519' });
    when.then(endpointSecretRotated({
      id, secret_key_id: 'key_2', grace_period_s: 60, previous_expire_at: '2024-01-01T00:01:00.000Z', retired_key_ids: [],
      signature_profile: { from: 'standard', to: 'standard-ed25519' },
    }));
    when.thenProfile('standard-ed25519');
  });

  it('the keys in force at a time are those not yet expired, newest first', () => {
    const state = endpointStateFrom([created, rotatedAt(0, 'key_2', 60)]);
    expect(keysInForce(state.signing_keys, at(59)).map((key) => key.key_id)).toEqual(['key_2', 'key_1']);
    expect(keysInForce(state.signing_keys, at(60)).map((key) => key.key_id)).toEqual(['key_2']);
  });
});
