import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AppRole, ensureAppRole, grantAppRole } from './app-role';
import { createDataSource } from './data-source';
import { LegacySealing, withLegacySealing } from './migrations/legacy-payload-sealing';
import { rebuildProjection } from './projections/rebuild-projection';
import { projectorsNamed } from './projections/registry';

/** An arbitrary, fixed key: migrations run under this advisory lock so two starting processes never race. */
const MIGRATION_LOCK = 7_337_001;

/**
 * A migration that changes what a projection holds names it here instead of mirroring the
 * projector in SQL: once every pending migration has run (so the schema is the one today's
 * projectors write), the runner rebuilds those projections from the store, in the order of
 * PROJECTORS.
 */
export interface RebuildsProjections {
  readonly rebuilds: readonly string[];
}

/** Creates the database named in `url` when it does not exist yet (connecting to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return false;
    }
    return true;
  } finally {
    await admin.end();
  }
}

export interface MigrateOptions {
  /**
   * The role the apps connect as: created when missing (if the owner may), then granted what it may
   * do on every table — after every run, so tables a later migration adds are covered too.
   */
  readonly appRole?: AppRole | null;
  /** For migration 1732400000069, which seals legacy plaintext payloads (see LegacySealing). */
  readonly legacySealing?: LegacySealing;
}

/**
 * Runs pending migrations as the owner (`url`, whose user owns everything they create); returns
 * their names. Safe to call from several processes at once.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<string[]> {
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url, application_name: 'hookledger-migrate' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'hookledger-migrate' });
    await dataSource.initialize();
    let ran: string[];
    try {
      const migrations = await withLegacySealing(options.legacySealing, () => dataSource.runMigrations({ transaction: 'each' }));
      await rebuildAfterMigrations(dataSource, migrations.flatMap((migration) => (migration.instance as Partial<RebuildsProjections> | undefined)?.rebuilds ?? []));
      ran = migrations.map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
    if (options.appRole) {
      await ensureAppRole(lock, options.appRole);
      await grantAppRole(lock, options.appRole.name);
    }
    return ran;
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

async function rebuildAfterMigrations(dataSource: DataSource, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  for (const projector of projectorsNamed([...new Set(names)])) await rebuildProjection(dataSource, projector);
}
