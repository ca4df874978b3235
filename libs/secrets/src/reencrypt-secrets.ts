import type { DataSource, EntityManager } from 'typeorm';
import { EndpointKeyRow, endpointKeyContext } from './endpoint-keys';
import { sealedAt } from './seal-context';
import { SecretCipher } from './secret-cipher';

export interface ReencryptionCounts {
  examined: number;
  reencrypted: number;
  alreadyCurrent: number;
  failed: number;
}

/** Per table; `failures` names the rows that could not be opened (never their values). */
export interface ReencryptionReport {
  readonly keyId: string;
  readonly endpointKeys: ReencryptionCounts;
  readonly idempotencyKeys: ReencryptionCounts;
  /** Tenants' data keys, rewrapped: the payloads they sealed are not touched (envelope encryption). */
  readonly tenantDataKeys: ReencryptionCounts;
  readonly failures: readonly string[];
}

/**
 * Re-seals every value at rest with the current key, so the previous keys can leave the
 * configuration: endpoint signing keys and auth credentials (`endpoint_keys`), stored
 * idempotent answers, and tenants' data keys (`tenant_data_keys.wrapped`; a destroyed key has
 * nothing left to rewrap, and the payloads sealed with a data key stay as they are: only its
 * wrapping changes, which is what makes rotating HOOKS_ENCRYPTION_KEY cheap with a large ledger). It also re-seals values from before row binding (v1) as v2, and keys moved
 * from the `endpoints` row by the key-table migration (still bound to that row's column) as bound
 * to their own key row, so a copy of one no longer opens elsewhere.
 * Each row is locked (`FOR UPDATE`), re-sealed and written in its own transaction; rows whose
 * values are all under the current key are left untouched, so a second run changes nothing.
 *
 * No ledger event is appended and the endpoint's version stays: the plaintext does not change,
 * so nothing a reader of the ledger or the API could notice has happened (and an event holding
 * sealed values would keep them in the ledger under the old key for ever). The dispatcher caches
 * opened keys per endpoint version, so it needs no new version to see re-sealed ones.
 */
export async function reencryptSecrets(db: DataSource, cipher: SecretCipher, batchSize = 100): Promise<ReencryptionReport> {
  const failures: string[] = [];
  const endpointKeys = await eachRow(db, failures, 'endpoint_keys',
    (after) => db.query(`SELECT key_id AS key FROM endpoint_keys WHERE key_id > $1 ORDER BY key_id LIMIT $2`, [after, batchSize]),
    async (tx, keyId) => {
      const [row]: EndpointKeyRow[] = await tx.query(
        `SELECT key_id, endpoint_id, purpose, sealed, public_key, legacy_binding FROM endpoint_keys WHERE key_id = $1 FOR UPDATE`, [keyId]);
      if (!row || (!row.legacy_binding && cipher.isCurrent(row.sealed))) return 'current';
      const sealed = cipher.seal(cipher.open(row.sealed, endpointKeyContext(row)), sealedAt.endpointKey(keyId));
      await tx.query(`UPDATE endpoint_keys SET sealed = $2, legacy_binding = false WHERE key_id = $1`, [keyId, sealed]);
      return 'reencrypted';
    });
  // Keyed by (scope, key) as one JSON text, so one walk in primary-key order serves both columns.
  const idempotencyKeys = await eachRow(db, failures, 'idempotency_keys',
    (after) => db.query(
      `SELECT json_build_array(scope, key)::text AS key FROM idempotency_keys
        WHERE (scope, key) > (($1::json ->> 0), ($1::json ->> 1)) ORDER BY scope, key LIMIT $2`,
      [after || '["",""]', batchSize]),
    async (tx, primaryKey) => {
      const [scope, key] = JSON.parse(primaryKey) as [string, string];
      const [row]: { response_body: { sealed: string } | null }[] = await tx.query(
        `SELECT response_body FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE`, [scope, key]);
      if (!row?.response_body || cipher.isCurrent(row.response_body.sealed)) return 'current';
      await tx.query(`UPDATE idempotency_keys SET response_body = $3 WHERE scope = $1 AND key = $2`,
        [scope, key, JSON.stringify({ sealed: cipher.reseal(row.response_body.sealed, sealedAt.idempotentAnswer(scope, key)) })]);
      return 'reencrypted';
    });
  const tenantDataKeys = await eachRow(db, failures, 'tenant_data_keys',
    (after) => db.query(`SELECT id AS key FROM tenant_data_keys WHERE id > $1 AND wrapped IS NOT NULL ORDER BY id LIMIT $2`, [after, batchSize]),
    async (tx, keyId) => {
      const [row]: { wrapped: string | null }[] = await tx.query(`SELECT wrapped FROM tenant_data_keys WHERE id = $1 FOR UPDATE`, [keyId]);
      // Destroyed since the page was read: nothing to rewrap.
      if (!row?.wrapped || cipher.isCurrent(row.wrapped)) return 'current';
      await tx.query(`UPDATE tenant_data_keys SET wrapped = $2 WHERE id = $1`, [keyId, cipher.reseal(row.wrapped, sealedAt.dataKey(keyId))]);
      return 'reencrypted';
    });
  return { keyId: cipher.keyId, endpointKeys, idempotencyKeys, tenantDataKeys, failures };
}

/** Walks a table page by page (`page` returns the keys after the last one), one transaction per row. */
async function eachRow(
  db: DataSource,
  failures: string[],
  table: string,
  page: (after: string) => Promise<{ key: string }[]>,
  work: (tx: EntityManager, key: string) => Promise<'current' | 'reencrypted'>,
): Promise<ReencryptionCounts> {
  const counts: ReencryptionCounts = { examined: 0, reencrypted: 0, alreadyCurrent: 0, failed: 0 };
  for (let after = ''; ;) {
    const rows = await page(after);
    if (rows.length === 0) return counts;
    for (const { key } of rows) {
      counts.examined++;
      try {
        const outcome = await db.transaction((tx) => work(tx, key));
        if (outcome === 'reencrypted') counts.reencrypted++;
        else counts.alreadyCurrent++;
      } catch (error) {
        counts.failed++;
        failures.push(`${table} ${key}: ${(error as Error).message}`);
      }
    }
    after = rows[rows.length - 1].key;
  }
}
