import { loadConfig } from '@hookledger/config';
import { specDataSource } from '@hookledger/testing';
import { SecretCipher } from './secret-cipher';
import { TenantDataKeys } from './tenant-data-keys';

describe('TenantDataKeys (per-tenant, per-day data keys wrapped under the encryption key)', () => {
  const db = specDataSource();
  const config = loadConfig({ NODE_ENV: 'test' });
  const cipher = new SecretCipher(config.encryptionKey);
  const keys = () => new TenantDataKeys(db.current, cipher, config);
  const day = 86_400_000;
  const monday = new Date('2026-11-30T10:00:00Z');

  it('seals with one key per tenant and day, opens only for the same tenant and place, in any process', async () => {
    const sealer = keys();
    const [a1, a2, b1] = await sealer.seal([
      { tenantId: 'ten_a', plaintext: '{"n":1}', context: 'message:ten_a/1' },
      { tenantId: 'ten_a', plaintext: '{"n":2}', context: 'message:ten_a/2' },
      { tenantId: 'ten_b', plaintext: '{"secret":"b"}', context: 'message:ten_b/1' },
    ], monday);
    expect(TenantDataKeys.isSealed(a1)).toBe(true);
    expect(a1).not.toContain('n":1');
    expect(a1.split('.')[1]).toBe(a2.split('.')[1]);
    expect(b1.split('.')[1]).not.toBe(a1.split('.')[1]);

    const reader = keys(); // another process: nothing cached
    expect(await reader.open(a1, 'ten_a', 'message:ten_a/1')).toEqual({ text: '{"n":1}', purged_at: null });
    await expect(reader.open(a1, 'ten_a', 'message:ten_a/2')).rejects.toThrow(/failed authentication/);
    await expect(reader.open(b1, 'ten_a', 'message:ten_b/1')).rejects.toThrow(/not tenant ten_a's/);
    await expect(reader.open('hlp1.dk_nope.aaaa.bbbb.cccc', 'ten_a', 'x')).rejects.toThrow(/not a sealed payload|no data key/);

    const [tuesday] = await sealer.seal([{ tenantId: 'ten_a', plaintext: 'x', context: 'c' }], new Date(monday.getTime() + day));
    expect(tuesday.split('.')[1]).not.toBe(a1.split('.')[1]);
    const rows: { wrapped: string }[] = await db.current.query(`SELECT wrapped FROM tenant_data_keys WHERE tenant_id = 'ten_a'`);
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.wrapped.startsWith('v2.'))).toBe(true);
  });

  it('gives concurrent sealers of a new day the same key', async () => {
    const sealed = await Promise.all(Array.from({ length: 8 }, () => keys().sealOne('ten_c', 'p', 'c', monday)));
    expect(new Set(sealed.map((value) => value.split('.')[1])).size).toBe(1);
  });

  it('destroys keys for retention (days before a time) or erasure (all); what they sealed answers when it was purged', async () => {
    const sealer = keys();
    const old = await sealer.sealOne('ten_d', 'old', 'c', new Date(monday.getTime() - 3 * day));
    const recent = await sealer.sealOne('ten_d', 'recent', 'c', monday);
    const retention = await db.current.transaction((tx) => sealer.destroy(tx, 'ten_d', 'retention', new Date(monday.getTime() - day)));
    expect(retention.count).toBe(1);
    const reader = keys();
    expect(await reader.open(old, 'ten_d', 'c')).toMatchObject({ text: null, purged_for: 'retention', purged_at: expect.any(Date) });
    expect(await reader.open(recent, 'ten_d', 'c')).toMatchObject({ text: 'recent' });

    const erasure = await db.current.transaction((tx) => sealer.destroy(tx, 'ten_d', 'erasure'));
    expect(erasure.count).toBe(1);
    expect(await sealer.open(recent, 'ten_d', 'c')).toMatchObject({ text: null, purged_for: 'erasure' });
    // New data after the erasure gets a new key.
    const after = await sealer.sealOne('ten_d', 'after', 'c', monday);
    expect(await keys().open(after, 'ten_d', 'c')).toMatchObject({ text: 'after' });
  });
});
