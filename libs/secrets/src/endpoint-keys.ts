import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sealedAt, SealContext } from './seal-context';
import { SecretCipher } from './secret-cipher';

/** A row of `endpoint_keys`: sealed material the endpoint's events name by `key_id`, never hold. */
export interface EndpointKeyRow {
  readonly key_id: string;
  readonly endpoint_id: string;
  readonly purpose: 'signing' | 'auth';
  readonly sealed: string;
  /** For standard-ed25519 keys: what receivers verify with (not secret). */
  readonly public_key: string | null;
  /** Moved from the `endpoints` row by the key-table migration, still bound to that row's column. */
  readonly legacy_binding: boolean;
}

/** Where a key row's value is bound: its own row, or (moved, not yet re-encrypted) the endpoints column it came from. */
export function endpointKeyContext(row: Pick<EndpointKeyRow, 'key_id' | 'endpoint_id' | 'purpose' | 'legacy_binding'>): SealContext {
  if (!row.legacy_binding) return sealedAt.endpointKey(row.key_id);
  return row.purpose === 'signing' ? sealedAt.endpointSecret(row.endpoint_id) : sealedAt.endpointAuth(row.endpoint_id);
}

const INSERT_SQL = `
  INSERT INTO endpoint_keys (key_id, endpoint_id, purpose, sealed, public_key)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`;

/**
 * The key table. Its one writer is the handler that issues a key, in the transaction that appends
 * the event naming it (so a key exists exactly when its event does); `secrets:reencrypt` only
 * re-seals values in place. Readers (the API's GET …/secret, the dispatcher) open them here.
 */
@Injectable()
export class EndpointKeys {
  constructor(private readonly cipher: SecretCipher) {}

  /** A key sealed for its own row, not yet stored. */
  seal(endpointId: string, keyId: string, purpose: EndpointKeyRow['purpose'], plaintext: string, publicKey: string | null = null): EndpointKeyRow {
    return { key_id: keyId, endpoint_id: endpointId, purpose, sealed: this.cipher.seal(plaintext, sealedAt.endpointKey(keyId)), public_key: publicKey, legacy_binding: false };
  }

  async insert(tx: EntityManager, keys: readonly EndpointKeyRow[]): Promise<void> {
    if (keys.length === 0) return;
    await tx.query(INSERT_SQL, [keys.map((k) => k.key_id), keys.map((k) => k.endpoint_id), keys.map((k) => k.purpose), keys.map((k) => k.sealed), keys.map((k) => k.public_key)]);
  }

  /** Throws (naming the binding, never the value) when the value was altered, copied from another row, or sealed with an unknown key. */
  open(row: EndpointKeyRow): string {
    return this.cipher.open(row.sealed, endpointKeyContext(row));
  }

  async find(db: Pick<EntityManager, 'query'>, keyIds: readonly string[]): Promise<Map<string, EndpointKeyRow>> {
    if (keyIds.length === 0) return new Map();
    const rows: EndpointKeyRow[] = await db.query(`SELECT key_id, endpoint_id, purpose, sealed, public_key, legacy_binding FROM endpoint_keys WHERE key_id = ANY($1)`, [keyIds]);
    return new Map(rows.map((row) => [row.key_id, row]));
  }
}
