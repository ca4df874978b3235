import { sourceCreated, sourceDeleted, sourceSecretRotated, sourceStreamId, sourceUpdated } from '@hookledger/domain';
import { sourcesProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const ID = 'src_01JD0000000000000000000000';
const on = (event: GivenEvent['event'], second: number, id = ID): GivenEvent => ({ streamId: sourceStreamId(id), event, recordedAt: at(second) });
const spec = () => projectorSpec(sourcesProjector, database.current);
const created = (id = ID, tenant = 'acme') => sourceCreated({ source_id: id, tenant_id: tenant, type: 'github', name: 'pushes', secret_key_id: `${id}.k1` });
const row = (fields: Record<string, unknown>) => ({ id: ID, tenant_id: 'acme', type: 'github', name: 'pushes', deleted_at: null, ...fields });

describe('the sources projection', () => {
  it('a created source is a row naming its one key, stamped with the event time and version 1', async () => {
    await spec()
      .given(on(created(), 1))
      .then('sources', [row({ signing_keys: [{ key_id: `${ID}.k1`, expires_at: null }], created_at: at(1), updated_at: at(1), version: 1 })]);
  });

  it('a rename and a rotation with a grace period: the new key first, the old one with its end', async () => {
    await spec()
      .given(
        on(created(), 1),
        on(sourceUpdated(ID, { name: 'org pushes' }), 2),
        on(sourceSecretRotated({ source_id: ID, secret_key_id: `${ID}.k2`, grace_period_s: 60, previous_expire_at: '2024-01-01T00:01:03.000Z', retired_key_ids: [] }), 3),
      )
      .then('sources', [row({
        name: 'org pushes', created_at: at(1), updated_at: at(3), version: 3,
        signing_keys: [{ key_id: `${ID}.k2`, expires_at: null }, { key_id: `${ID}.k1`, expires_at: '2024-01-01T00:01:03.000Z' }],
      })]);
  });

  it('a rotation without grace keeps only the new key; a delete stamps deleted_at; streams stay apart', async () => {
    const other = 'src_01JD0000000000000000000001';
    await spec()
      .given(
        on(created(), 1),
        on(created(other, 'globex'), 2, other),
        on(sourceSecretRotated({ source_id: ID, secret_key_id: `${ID}.k2`, grace_period_s: 0, previous_expire_at: null, retired_key_ids: [`${ID}.k1`] }), 3),
        on(sourceDeleted(other), 4, other),
        on({ type: 'SourcePaused', data: { source_id: ID } }, 5),
      )
      .then('sources', [
        row({ signing_keys: [{ key_id: `${ID}.k2`, expires_at: null }], created_at: at(1), updated_at: at(3), version: 2 }),
        row({ id: other, tenant_id: 'globex', signing_keys: [{ key_id: `${other}.k1`, expires_at: null }], created_at: at(2), updated_at: at(4), deleted_at: at(4), version: 2 }),
      ]);
  });
});
