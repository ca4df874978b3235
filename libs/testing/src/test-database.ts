import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@hookledger/event-store';

const CLONE_ATTEMPTS = 10;
const OBJECT_IN_USE = '55006';

/** Built and migrated once per run by test/global-setup.ts, under a name of its own. */
function templateDatabase(): string {
  const name = process.env.HOOKLEDGER_TEST_TEMPLATE;
  if (!name) throw new Error('HOOKLEDGER_TEST_TEMPLATE is not set: run the tests through jest (test/global-setup.ts builds the template)');
  return name;
}

export interface TestDatabase {
  readonly name: string;
  /** As the apps connect: the apps' role, which may not alter the store (docs/database-roles.md). */
  readonly url: string;
  /**
   * As the owner, who ran the migrations: only for what the apps may never do — tampering with the
   * ledger to prove it is caught, running migrations, scratch tables.
   */
  readonly ownerUrl: string;
  /** Drops the database, ending any connection still open on it. */
  drop(): Promise<void>;
}

/** The server, as the owner (a superuser): test/global-setup.ts sets it. */
function serverUrl(): string {
  return process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
}

/** The server, as the apps' role the template granted (test/global-setup.ts sets it). */
function appServerUrl(): string {
  const url = process.env.HOOKLEDGER_TEST_APP_PG_URL;
  if (!url) throw new Error('HOOKLEDGER_TEST_APP_PG_URL is not set: run the tests through jest (test/global-setup.ts sets it)');
  return url;
}

async function onAdminConnection(sql: string): Promise<void> {
  const admin = new Client({ connectionString: `${serverUrl()}/postgres` });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A fresh database cloned from the migrated template: one per spec file, so specs never share rows. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hl_t_${randomBytes(6).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await onAdminConnection(`CREATE DATABASE ${name} TEMPLATE "${templateDatabase()}"`);
      break;
    } catch (error) {
      // Cloning needs the template to have no other session: parallel workers cloning at the same
      // moment make Postgres refuse with 55006.
      const code = (error as { code?: string }).code;
      if (code !== OBJECT_IN_USE || attempt === CLONE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 100));
    }
  }
  return {
    name,
    url: `${appServerUrl()}/${name}`,
    ownerUrl: `${serverUrl()}/${name}`,
    drop: () => onAdminConnection(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/**
 * An initialised TypeORM DataSource on a test database, as the apps' role unless the test needs the
 * owner; destroy it before `drop()`.
 */
export async function openDataSource(database: TestDatabase, poolSize = 5, as: 'app' | 'owner' = 'app'): Promise<DataSource> {
  const url = as === 'owner' ? database.ownerUrl : database.url;
  const dataSource = createDataSource({ url, poolSize, applicationName: `test-${database.name}${as === 'owner' ? '-owner' : ''}` });
  return dataSource.initialize();
}

/**
 * Resolves once the commit-safe horizon (the snapshot's xmin, which the checkpointer and catch-up
 * readers stop below) has passed every event appended so far. Transaction ids and snapshots span
 * the whole Postgres cluster, so another database's open transaction holds the horizon back too;
 * a reader stepping before this would leave events unread for a reason of no interest to a test.
 */
export async function snapshotHorizonPassed(dataSource: DataSource, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ passed }]: { passed: boolean }[] = await dataSource.query(
      `SELECT pg_snapshot_xmin(pg_current_snapshot()) > coalesce((SELECT max(transaction_id) FROM events), '0'::xid8) AS passed`);
    if (passed) return;
    if (Date.now() > deadline) throw new Error('the snapshot horizon did not pass the newest event');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Resolves once the session with backend `pid` is waiting for a lock, so a test can order two
 * transactions ("B is blocked behind A, now commit A") without sleeping and hoping.
 */
export async function waitUntilBlocked(dataSource: DataSource, pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row]: { wait_event_type: string | null }[] = await dataSource.query(
      `SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [pid]);
    if (row?.wait_event_type === 'Lock') return;
    if (Date.now() > deadline) throw new Error(`backend ${pid} did not block on a lock within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface SpecDataSource {
  /** As the apps connect (the apps' role). */
  readonly current: DataSource;
  /** As the owner, for what the apps may not do (tampering, scratch tables): opened on first use. */
  owner(): Promise<DataSource>;
}

/**
 * A database of the spec file's own (cloned from the template) with a DataSource on it as the apps'
 * role, opened before the file's tests and dropped after them; `current` is the DataSource once it
 * is open.
 */
export function specDataSource(poolSize = 2): SpecDataSource {
  let database: TestDatabase | undefined;
  let dataSource: DataSource | undefined;
  let owner: Promise<DataSource> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDataSource(database, poolSize);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await (await owner?.catch(() => undefined))?.destroy();
    await database?.drop();
  });
  return {
    get current(): DataSource {
      if (!dataSource) throw new Error('specDataSource: the database is opened in beforeAll; use it inside a test');
      return dataSource;
    },
    owner(): Promise<DataSource> {
      if (!database) throw new Error('specDataSource: the database is opened in beforeAll; use it inside a test');
      return (owner ??= openDataSource(database, 1, 'owner'));
    },
  };
}
