import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** How long a completed answer is replayed. */
export const IDEMPOTENCY_TTL_S = 24 * 60 * 60;
/**
 * An `in_progress` row older than this belongs to a request whose process died (or that hung):
 * the key is handed to the next request instead of answering 409 for a day.
 */
export const ABANDONED_AFTER_S = 120;

export interface IdempotencyRequest {
  readonly scope: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly requestHash: string;
}

export interface IdempotencyRecord {
  method: string;
  path: string;
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  /** `{sealed}`: answers can hold secrets (a new endpoint's signing secret), so they are stored encrypted. */
  response_body: { sealed: string } | null;
}

/** The claim's creation time: completing or releasing only touches the row this request claimed. */
export type ClaimToken = string;

/** The `idempotency_keys` table behind the Idempotency-Key header. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Claims the key for this request, or returns null when a live row holds it. One statement, so
   * of two concurrent first requests exactly one claims: the other waits on the row lock and then
   * finds it live. An expired row, or an abandoned `in_progress` one, is taken over in place.
   */
  async claim(request: IdempotencyRequest): Promise<ClaimToken | null> {
    const rows: { token: string }[] = await this.db.query(
      `INSERT INTO idempotency_keys AS k (scope, key, method, path, request_hash, state, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'in_progress', clock_timestamp(), clock_timestamp() + make_interval(secs => $6))
       ON CONFLICT (scope, key) DO UPDATE
          SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash, state = 'in_progress',
              response_status = NULL, response_body = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE k.expires_at <= now() OR (k.state = 'in_progress' AND k.created_at <= now() - make_interval(secs => $7))
       RETURNING k.created_at::text AS token`,
      [request.scope, request.key, request.method, request.path, request.requestHash, IDEMPOTENCY_TTL_S, ABANDONED_AFTER_S],
    );
    return rows[0]?.token ?? null;
  }

  async find(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const rows: IdempotencyRecord[] = await this.db.query(
      `SELECT method, path, request_hash, state, response_status, response_body FROM idempotency_keys
        WHERE scope = $1 AND key = $2 AND expires_at > now()`,
      [scope, key],
    );
    return rows[0] ?? null;
  }

  async complete(scope: string, key: string, token: ClaimToken, status: number, sealedBody: string): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_body = $5
        WHERE scope = $1 AND key = $2 AND created_at = $3::timestamptz AND state = 'in_progress'`,
      [scope, key, token, status, JSON.stringify({ sealed: sealedBody })],
    );
  }

  /** Frees the key after a failed request, so the client's retry runs afresh. */
  async release(scope: string, key: string, token: ClaimToken): Promise<void> {
    await this.db.query(
      `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at = $3::timestamptz AND state = 'in_progress'`,
      [scope, key, token],
    );
  }

  /**
   * Deletes up to `limit` expired rows (through the expires_at index). SKIP LOCKED: rows another
   * instance is deleting, or a claim is taking over, are left to it instead of waited for.
   */
  async prune(limit: number): Promise<number> {
    const [, count]: [unknown, number] = await this.db.query(
      `DELETE FROM idempotency_keys WHERE ctid IN (
         SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      [limit],
    );
    return count;
  }
}
