import { apiKeyCreated, apiKeyRevoked, apiKeyStreamId } from '@hookledger/domain';
import { apiKeysProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const by = { actor: 'api-key:key_admin', tenant_id: 'acme' };
const on = (id: string, event: GivenEvent['event'], second: number): GivenEvent => ({ streamId: apiKeyStreamId(id), event, recordedAt: at(second), metadata: by });
const spec = () => projectorSpec(apiKeysProjector, database.current);

const reader = apiKeyCreated({ id: 'key_1', name: 'billing', role: 'reader', tenant_id: 'acme', prefix: 'hl_abcdef', rate_limit_per_s: 5, expires_at: null });
const portal = apiKeyCreated({ id: 'key_2', name: 'portal token', role: 'portal', tenant_id: 'acme', prefix: 'hlp_abcdef', rate_limit_per_s: null, expires_at: at(60) });
const row = (fields: Record<string, unknown>) => ({
  id: 'key_1', name: 'billing', role: 'reader', tenant_id: 'acme', prefix: 'hl_abcdef', rate_limit_per_s: 5,
  created_by: 'api-key:key_admin', created_at: at(1), expires_at: null, revoked_at: null, ...fields,
});

describe('the api-keys projection', () => {
  it('a created key is a row: created_by is the actor, created_at the event time, and no digest anywhere', async () => {
    await spec().given(on('key_1', reader, 1)).then('api_keys', [row({})]);
  });

  it('revoked_at is the first revocation time', async () => {
    await spec()
      .given(on('key_1', reader, 1), on('key_1', apiKeyRevoked('key_1'), 4), on('key_1', apiKeyRevoked('key_1', 'tenant deleted'), 9))
      .then('api_keys', [row({ revoked_at: at(4) })]);
  });

  it("keeps a portal token's row however long ago it expired: reads forget it, the projection does not", async () => {
    await spec()
      .given(on('key_1', reader, 1), on('key_2', portal, 2), on('key_2', apiKeyRevoked('key_2', 'tenant deleted'), 3))
      .then('api_keys', [
        row({}),
        row({ id: 'key_2', name: 'portal token', role: 'portal', prefix: 'hlp_abcdef', rate_limit_per_s: null, created_at: at(2), expires_at: at(60), revoked_at: at(3) }),
      ]);
  });
});
