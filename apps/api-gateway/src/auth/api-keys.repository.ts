import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { preparedQuery } from '@hookledger/event-store';
import type { Role } from './principal';

/** A row of `api_keys` (the api-keys projection): never the key, only the first characters to recognise it by. */
export interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  tenant_id: string | null;
  prefix: string;
  rate_limit_per_s: number | null;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** What the guard needs to know about the key a request carries. */
export interface KeyGrant {
  readonly id: string;
  readonly role: Role;
  readonly tenant_id: string | null;
  readonly rate_limit_per_s: number | null;
}

export const keyDigest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** `hl_` + 256 random bits for API keys, `hlp_` for portal tokens; shown once, stored as a digest. */
export function generateKey(kind: 'api-key' | 'portal'): string {
  return `${kind === 'portal' ? 'hlp_' : 'hl_'}${randomBytes(32).toString('base64url')}`;
}

/** Enough of a key to tell keys apart in a list, far too little to guess the rest (220 of its 256 random bits stay unseen). */
export const keyPrefix = (value: string): string => value.slice(0, value.indexOf('_') + 7);

const COLUMNS = `id, name, role, tenant_id, prefix, rate_limit_per_s, created_by, created_at, expires_at, revoked_at`;

/**
 * The API forgets a portal token a day after it expired (isForgottenPortalToken): its row stays
 * in the projection, which is a pure function of the events, and every read by id skips it.
 */
export const REMEMBERED_KEY = `NOT (role = 'portal' AND expires_at < now() - interval '1 day')`;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: DataSource) {}

  /** The live key with this value: not revoked, not expired, its tenant not deleted. One index lookup. */
  async grantFor(value: string): Promise<KeyGrant | null> {
    const rows = await preparedQuery<KeyGrant>(
      this.db,
      'hl_api_key_grant',
      `SELECT k.id, k.role, k.tenant_id, k.rate_limit_per_s
         FROM api_key_digests d JOIN api_keys k ON k.id = d.key_id LEFT JOIN tenants t ON t.id = k.tenant_id
        WHERE d.digest = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
          AND (k.tenant_id IS NULL OR t.deleted_at IS NULL)`,
      [keyDigest(value)],
    );
    return rows[0] ?? null;
  }

  /** A key or a portal token: both can be looked up and revoked by their id. */
  async find(id: string): Promise<ApiKeyRow | null> {
    const rows: ApiKeyRow[] = await this.db.query(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1 AND ${REMEMBERED_KEY}`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first; portal tokens are not listed (they expire within hours), but GET and DELETE by id reach them. */
  list(filter: { before: string | null; tenantId?: string; revoked?: boolean }, limit: number): Promise<ApiKeyRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM api_keys
        WHERE role <> 'portal' AND ($1::text IS NULL OR id < $1) AND ($2::text IS NULL OR tenant_id = $2)
          AND ($3::boolean IS NULL OR (revoked_at IS NOT NULL) = $3)
        ORDER BY id DESC LIMIT $4`,
      [filter.before, filter.tenantId ?? null, filter.revoked ?? null, limit],
    );
  }
}
