import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { newId } from '@hookledger/domain';
import { sealedAt } from './seal-context';
import { SecretCipher } from './secret-cipher';

/**
 * A payload or response body sealed with a tenant's data key: `hlp1.<key id>.<iv>.<tag>.<ciphertext>`
 * (base64url parts). The key id names a row of `tenant_data_keys`; AES-256-GCM authenticates the
 * version, the key id, the tenant and the value's place (its {@link PayloadContext}) beside the bytes.
 */
export type SealedPayload = string;

/** Where a sealed payload belongs, e.g. `message:<tenant>/<id>` or `attempt:<id>`: a copy elsewhere does not open. */
export type PayloadContext = string;

/** What opening gives: the text, or — its key destroyed by retention or erasure — when it was purged. */
export type OpenedPayload =
  | { readonly text: string; readonly purged_at: null }
  | { readonly text: null; readonly purged_at: Date; readonly purged_for: 'retention' | 'erasure' };

export interface PayloadToSeal {
  readonly tenantId: string;
  readonly plaintext: string;
  readonly context: PayloadContext;
}

export interface DestroyedKeys {
  readonly count: number;
  readonly key_ids: readonly string[];
}

const VERSION = 'hlp1';
const PREFIX = `${VERSION}.`;

interface KeyRow {
  id: string;
  tenant_id: string;
  wrapped: string | null;
  destroyed_at: Date | null;
  destroyed_for: 'retention' | 'erasure' | null;
}

type CachedKey =
  | { readonly tenantId: string; readonly key: Buffer; readonly expires: number }
  | { readonly tenantId: string; readonly key: null; readonly destroyedAt: Date; readonly destroyedFor: 'retention' | 'erasure' };

const GET_OR_CREATE_SQL = `
  WITH created AS (
    INSERT INTO tenant_data_keys (id, tenant_id, period_start, wrapped) VALUES ($1, $2, $3, $4)
    ON CONFLICT (tenant_id, period_start) WHERE destroyed_at IS NULL DO NOTHING
    RETURNING id, tenant_id, wrapped, destroyed_at, destroyed_for)
  SELECT * FROM created
  UNION ALL
  SELECT id, tenant_id, wrapped, destroyed_at, destroyed_for FROM tenant_data_keys
   WHERE tenant_id = $2 AND period_start = $3 AND destroyed_at IS NULL
  LIMIT 1`;

/**
 * Envelope encryption of tenant data: every payload and response body is sealed with a data key
 * of its tenant's, one key per tenant per retention day (`config.retention.dayMs`), and every data
 * key is wrapped under HOOKS_ENCRYPTION_KEY in `tenant_data_keys`. Retention destroys the keys of
 * days past a tenant's `payload_retention_days`; erasure destroys all of a tenant's keys. Either
 * way the sealed bytes stay where they are — in the append-only, hash-chained ledger, in
 * projections, in every backup — and no longer open: crypto-shredding, so chains and checkpoints,
 * which cover the sealed bytes, still verify.
 *
 * Unwrapped keys are cached for `CACHE_TTL_MS` (a destroyed key is remembered as destroyed for
 * good); `forget(tenant)` drops a tenant's keys at once (erasure calls it, and other processes on
 * the erasure's announcement).
 */
@Injectable()
export class TenantDataKeys {
  static readonly CACHE_TTL_MS = 60_000;
  private readonly byId = new Map<string, CachedKey>();
  /** `<tenant>|<period start ms>` → live key id. */
  private readonly current = new Map<string, { readonly id: string; readonly expires: number }>();

  constructor(private readonly db: DataSource, private readonly cipher: SecretCipher, private readonly config: HookledgerConfig) {}

  static isSealed(value: unknown): value is SealedPayload {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  /** The start of the retention day `at` falls in: the unit data keys (and retention) work by. */
  periodStart(at: Date): Date {
    const day = this.config.retention.dayMs;
    return new Date(Math.floor(at.getTime() / day) * day);
  }

  /** Seals each value with its tenant's key for the day of `at` (one key lookup per tenant, cached). */
  async seal(items: readonly PayloadToSeal[], at: Date = new Date()): Promise<SealedPayload[]> {
    const keys = new Map<string, { id: string; key: Buffer }>();
    for (const tenantId of new Set(items.map((item) => item.tenantId))) keys.set(tenantId, await this.currentKey(tenantId, at));
    return items.map((item) => {
      const { id, key } = keys.get(item.tenantId) as { id: string; key: Buffer };
      return sealWith(id, key, item.tenantId, item.plaintext, item.context);
    });
  }

  /**
   * Seals each value with its tenant's key of the day its own `at` falls in (values recorded
   * earlier, such as the payloads a migration seals afterwards): one `seal` per day.
   */
  async sealDated(items: readonly (PayloadToSeal & { readonly at: Date })[]): Promise<SealedPayload[]> {
    const byDay = new Map<number, number[]>();
    items.forEach((item, n) => {
      const day = this.periodStart(item.at).getTime();
      const indexes = byDay.get(day);
      if (indexes) indexes.push(n);
      else byDay.set(day, [n]);
    });
    const sealed = new Array<SealedPayload>(items.length);
    for (const [day, indexes] of byDay) {
      const values = await this.seal(indexes.map((n) => items[n]), new Date(day));
      indexes.forEach((n, k) => (sealed[n] = values[k]));
    }
    return sealed;
  }

  async sealOne(tenantId: string, plaintext: string, context: PayloadContext, at: Date = new Date()): Promise<SealedPayload> {
    const [sealed] = await this.seal([{ tenantId, plaintext, context }], at);
    return sealed;
  }

  /**
   * The text of a sealed value, or when its key was destroyed. Throws for a value that is not
   * sealed, names an unknown key, belongs to another tenant or place, or was altered.
   */
  async open(sealed: SealedPayload, tenantId: string, context: PayloadContext): Promise<OpenedPayload> {
    const [opened] = await this.openMany([{ sealed, tenantId, context }]);
    return opened;
  }

  async openMany(items: readonly { readonly sealed: SealedPayload; readonly tenantId: string; readonly context: PayloadContext }[]): Promise<OpenedPayload[]> {
    const parsed = items.map((item) => ({ ...item, parts: parse(item.sealed) }));
    const missing = [...new Set(parsed.map((item) => item.parts.keyId).filter((id) => !this.cachedKey(id)))];
    if (missing.length > 0) await this.loadKeys(missing);
    return parsed.map(({ parts, tenantId, context }) => {
      const cached = this.cachedKey(parts.keyId);
      if (!cached) throw new Error(`no data key ${parts.keyId} exists`);
      if (cached.tenantId !== tenantId) throw new Error(`data key ${parts.keyId} is not tenant ${tenantId}'s`);
      if (cached.key === null) return { text: null, purged_at: cached.destroyedAt, purged_for: cached.destroyedFor };
      return { text: openWith(parts, cached.key, tenantId, context), purged_at: null };
    });
  }

  /**
   * Destroys a tenant's live keys — all of them (erasure), or those of days starting before
   * `before` (retention) — inside the caller's transaction, which appends the event recording it.
   */
  async destroy(tx: EntityManager, tenantId: string, reason: 'retention' | 'erasure', before: Date | null = null): Promise<DestroyedKeys> {
    const rows: { id: string }[] = await tx.query(
      // The rows are locked in id order first, the order ingest's holdLive takes them FOR SHARE, so an
      // erasure and a batch holding two of the tenant's keys wait for each other instead of deadlocking.
      // As a CTE so the driver answers rows, not an UPDATE's [rows, count].
      `WITH doomed AS (
         SELECT id FROM tenant_data_keys
          WHERE tenant_id = $1 AND destroyed_at IS NULL AND ($3::timestamptz IS NULL OR period_start < $3)
          ORDER BY id FOR UPDATE),
       destroyed AS (
         UPDATE tenant_data_keys k SET wrapped = NULL, destroyed_at = now(), destroyed_for = $2
           FROM doomed WHERE k.id = doomed.id AND k.destroyed_at IS NULL
          RETURNING k.id)
       SELECT id FROM destroyed`,
      [tenantId, reason, before],
    );
    this.forget(tenantId);
    return { count: rows.length, key_ids: rows.map((row) => row.id).sort() };
  }

  /**
   * Holds the keys `sealed` were sealed with against destruction until `tx` ends (FOR SHARE: an
   * erasure or retention run waits for the commit, so what `tx` appends is covered by it), and
   * answers whether all of them are still live. A key destroyed before — by another process while
   * this one's cache still had it — answers false and is forgotten: the caller seals again.
   */
  async holdLive(tx: EntityManager, sealed: readonly SealedPayload[]): Promise<boolean> {
    const ids = [...new Set(sealed.map((value) => parse(value).keyId))];
    if (ids.length === 0) return true;
    const live: { id: string }[] = await tx.query(
      `SELECT id FROM tenant_data_keys WHERE id = ANY($1::text[]) AND destroyed_at IS NULL ORDER BY id FOR SHARE`, [ids]);
    if (live.length === ids.length) return true;
    const alive = new Set(live.map((row) => row.id));
    for (const id of ids) {
      if (alive.has(id)) continue;
      const cached = this.byId.get(id);
      if (cached) this.forget(cached.tenantId);
      else this.byId.delete(id);
    }
    // A key missing from the cache too (evicted): forget every current-key entry naming it.
    for (const [name, current] of this.current) if (!alive.has(current.id) && ids.includes(current.id)) this.current.delete(name);
    return false;
  }

  /** Drops every cached key of the tenant: the next seal or open reads `tenant_data_keys` again. */
  forget(tenantId: string): void {
    for (const [id, cached] of this.byId) if (cached.tenantId === tenantId) this.byId.delete(id);
    for (const name of this.current.keys()) if (name.startsWith(`${tenantId}|`)) this.current.delete(name);
  }

  private cachedKey(id: string): CachedKey | undefined {
    const cached = this.byId.get(id);
    if (cached && cached.key !== null && cached.expires < Date.now()) {
      this.byId.delete(id);
      return undefined;
    }
    return cached;
  }

  private async currentKey(tenantId: string, at: Date): Promise<{ id: string; key: Buffer }> {
    const period = this.periodStart(at);
    const name = `${tenantId}|${period.getTime()}`;
    const known = this.current.get(name);
    if (known && known.expires > Date.now()) {
      const cached = this.cachedKey(known.id);
      if (cached && cached.key !== null) return { id: known.id, key: cached.key };
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = newId('dk');
      const fresh = randomBytes(32);
      const rows: KeyRow[] = await this.db.query(GET_OR_CREATE_SQL, [id, tenantId, period, this.cipher.seal(fresh.toString('base64'), sealedAt.dataKey(id))]);
      // Empty only when a concurrent writer's key committed after this statement's snapshot began.
      if (rows.length === 0) continue;
      const [row] = rows;
      const key = row.id === id ? fresh : this.unwrap(row);
      const expires = Date.now() + TenantDataKeys.CACHE_TTL_MS;
      this.byId.set(row.id, { tenantId, key, expires });
      this.current.set(name, { id: row.id, expires });
      return { id: row.id, key };
    }
    throw new Error(`could not create or read tenant ${tenantId}'s data key`);
  }

  private async loadKeys(ids: readonly string[]): Promise<void> {
    const rows: KeyRow[] = await this.db.query(
      `SELECT id, tenant_id, wrapped, destroyed_at, destroyed_for FROM tenant_data_keys WHERE id = ANY($1::text[])`, [ids]);
    const expires = Date.now() + TenantDataKeys.CACHE_TTL_MS;
    for (const row of rows) {
      if (row.wrapped === null) {
        this.byId.set(row.id, { tenantId: row.tenant_id, key: null, destroyedAt: row.destroyed_at as Date, destroyedFor: row.destroyed_for ?? 'erasure' });
      } else {
        this.byId.set(row.id, { tenantId: row.tenant_id, key: this.unwrap(row), expires });
      }
    }
  }

  private unwrap(row: KeyRow): Buffer {
    if (row.wrapped === null) throw new Error(`data key ${row.id} was destroyed`);
    const key = Buffer.from(this.cipher.open(row.wrapped, sealedAt.dataKey(row.id)), 'base64');
    if (key.length !== 32) throw new Error(`data key ${row.id} is not 32 bytes`);
    return key;
  }
}

interface SealedParts {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

function additionalData(keyId: string, tenantId: string, context: PayloadContext): Buffer {
  return Buffer.from(`${VERSION}\n${keyId}\n${JSON.stringify(tenantId)}\n${context}`, 'utf8');
}

function sealWith(keyId: string, key: Buffer, tenantId: string, plaintext: string, context: PayloadContext): SealedPayload {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(keyId, tenantId, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

function openWith(parts: SealedParts, key: Buffer, tenantId: string, context: PayloadContext): string {
  const decipher = createDecipheriv('aes-256-gcm', key, parts.iv);
  decipher.setAAD(additionalData(parts.keyId, tenantId, context));
  decipher.setAuthTag(parts.tag);
  try {
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`the payload sealed with data key ${parts.keyId} for ${context} failed authentication: it was altered, or copied from another tenant or place`);
  }
}

function parse(sealed: SealedPayload): SealedParts {
  const parts = sealed.split('.');
  const [version, keyId, iv, tag, ciphertext] = parts;
  if (parts.length !== 5 || version !== VERSION || !keyId || !iv || !tag) throw new Error('not a sealed payload');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (tagBytes.length !== 16) throw new Error('not a sealed payload');
  return { keyId, iv: Buffer.from(iv, 'base64url'), tag: tagBytes, ciphertext: Buffer.from(ciphertext, 'base64url') };
}
