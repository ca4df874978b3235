import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { keyDigest } from './api-keys.repository';

/**
 * Sealed key material: the SHA-256 digest of each key, under its id. No event holds it (the
 * ledger keeps what happened, not secrets), so `api_keys` rebuilds without it and the guard joins
 * this table. Its one writer: the handlers that mint keys, in the transaction of the key's event.
 */
@Injectable()
export class ApiKeyDigests {
  async insert(tx: EntityManager, keyId: string, value: string): Promise<void> {
    await tx.query(`INSERT INTO api_key_digests (key_id, digest) VALUES ($1, $2)`, [keyId, keyDigest(value)]);
  }
}
