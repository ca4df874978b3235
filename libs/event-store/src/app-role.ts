import type { Client } from 'pg';

/** The role the apps connect as (docs/database-roles.md); its name is the user in their DATABASE_URL. */
export interface AppRole {
  readonly name: string;
  /** Set on the role when the apps' URL carries one (and the owner may set it). */
  readonly password?: string;
}

export const DEFAULT_APP_ROLE = 'hookledger_app';

/**
 * The apps' role, read from their URL, when it is not the migration URL's own user. Null when both
 * name one role: the apps then connect as the owner, which least privilege cannot help.
 */
export function appRoleOf(appUrl: string, ownerUrl: string): AppRole | null {
  const app = new URL(appUrl);
  const name = decodeURIComponent(app.username);
  if (!name || name === decodeURIComponent(new URL(ownerUrl).username)) return null;
  const password = decodeURIComponent(app.password);
  return password ? { name, password } : { name };
}

/** The store: written only through hl_append_events / hl_append_heads + hl_append_chained, which run as the owner. */
const READ_ONLY_TABLES = new Set(['events', 'streams', 'schema_migrations']);
/** Any table guarded by the append-only trigger (ledger_checkpoints, and whatever later migrations guard the same way). */
const APPEND_ONLY_TRIGGER = 'hl_refuse_event_change';
/** Everything else is a projection or operational state: projection rebuilds truncate. */
const READ_WRITE = 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE';
/** Definer functions the apps call; EXECUTE on them is revoked from PUBLIC (migration 061). */
const APP_FUNCTIONS = [
  'hl_append_events(text[], text[], integer[], text[], text[], smallint[], jsonb[], jsonb[])',
  'hl_lock_streams(text[])',
  // EventStore.append's two round trips (migration 090).
  'hl_append_heads(text[], text[], text[])',
  'hl_append_chained(text[], text[], integer[], integer[], bytea[], boolean[], text[], integer[], text[], smallint[], jsonb[], jsonb[], bytea[], bigint)',
];

const RETRIES = 10;

/**
 * Two sessions creating or altering the same role: Postgres roles are cluster-wide, so parallel
 * test workers (or two starting migrations on different databases) race on one pg_authid row.
 * The loser sees 42710 or 23505 (it was created meanwhile) or XX000 "tuple concurrently updated".
 */
function isRoleRace(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '42710' || code === '23505' || (code === 'XX000' && /concurrently/.test(message ?? ''));
}

/**
 * Creates the apps' role when it does not exist (LOGIN and nothing else: no superuser, createrole,
 * createdb, replication or bypassrls), or sets its password when the apps' URL carries one. Needs an
 * owner with CREATEROLE (or a superuser); otherwise the role must be created by hand first.
 */
export async function ensureAppRole(client: Client, role: AppRole): Promise<void> {
  const name = client.escapeIdentifier(role.name);
  const password = role.password === undefined ? '' : ` PASSWORD ${client.escapeLiteral(role.password)}`;
  for (let attempt = 1; ; attempt++) {
    const { rows } = await client.query<{ exists: boolean; may: boolean; owner: string }>(
      `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists,
              (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) AS may, current_user AS owner`,
      [role.name],
    );
    const [{ exists, may, owner }] = rows;
    if (exists && (!password || !may)) return;
    if (!may) {
      throw new Error(
        `the apps' role ${role.name} (the user in DATABASE_URL) does not exist, and ${owner} (HOOKS_MIGRATION_DATABASE_URL) may not create roles: ` +
          'create it by hand as docs/database-roles.md shows, then migrate again',
      );
    }
    try {
      await client.query(exists ? `ALTER ROLE ${name}${password}` : `CREATE ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS${password}`);
      return;
    } catch (error) {
      // A role made by hand by another administrator (PostgreSQL 16+ lets only its admins alter it),
      // or a superuser: its password stays as set; the grants' check refuses the superuser.
      if (exists && (error as { code?: string }).code === '42501') return;
      if (!isRoleRace(error) || attempt === RETRIES) throw error;
    }
  }
}

/**
 * (Re)grants the apps' role exactly what it may do in the current schema, in one transaction, so
 * running sessions never see it half-granted. Run after every migration run: a table a later
 * migration adds is covered without a grant of its own. Then refuses (throws) when the role could
 * still rewrite the ledger some other way — see `appRoleProblems`.
 */
export async function grantAppRole(client: Client, role: string): Promise<void> {
  const app = client.escapeIdentifier(role);
  await client.query('BEGIN');
  try {
    const [{ schema, database }] = (await client.query<{ schema: string; database: string }>(
      'SELECT current_schema() AS schema, current_database() AS database')).rows;
    const inSchema = client.escapeIdentifier(schema);
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${client.escapeIdentifier(database)} TO ${app}`);
    await client.query(`GRANT USAGE ON SCHEMA ${inSchema} TO ${app}`);
    await client.query(`REVOKE CREATE ON SCHEMA ${inSchema} FROM ${app}`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${inSchema} FROM ${app}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${inSchema} FROM ${app}`);

    const { rows: tables } = await client.query<{ name: string; append_only: boolean }>(
      `SELECT c.relname AS name,
              EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                       WHERE t.tgrelid = c.oid AND p.proname = $2) AS append_only
         FROM pg_class c
        WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        ORDER BY c.relname`,
      [schema, APPEND_ONLY_TRIGGER],
    );
    for (const table of tables) {
      const privileges = READ_ONLY_TABLES.has(table.name) ? 'SELECT' : table.append_only ? 'SELECT, INSERT' : READ_WRITE;
      await client.query(`GRANT ${privileges} ON TABLE ${inSchema}.${client.escapeIdentifier(table.name)} TO ${app}`);
    }
    // Every sequence may be read (pg_dump reads them all); only those of tables the apps write
    // (serial and identity columns), not the store's, may be advanced.
    const { rows: sequences } = await client.query<{ name: string; store: boolean }>(
      `SELECT s.relname AS name,
              EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                           WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.refclassid = 'pg_class'::regclass
                             AND (t.relname = ANY ($2) OR EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid
                                                                  WHERE g.tgrelid = t.oid AND p.proname = $3))) AS store
         FROM pg_class s WHERE s.relnamespace = $1::regnamespace AND s.relkind = 'S'`,
      [schema, [...READ_ONLY_TABLES], APPEND_ONLY_TRIGGER],
    );
    for (const sequence of sequences) {
      await client.query(`GRANT ${sequence.store ? 'SELECT' : 'USAGE, SELECT'} ON SEQUENCE ${inSchema}.${client.escapeIdentifier(sequence.name)} TO ${app}`);
    }
    for (const fn of APP_FUNCTIONS) await client.query(`GRANT EXECUTE ON FUNCTION ${inSchema}.${fn} TO ${app}`);

    const problems = await appRoleProblems(client, role);
    if (problems.length > 0) {
      throw new Error(`the apps' role ${role} could still rewrite the ledger: ${problems.join('; ')} (see docs/database-roles.md)`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * What, besides its grants, would let the role alter the store: the grants mean nothing to a
 * superuser or to a role that owns (or acts as) the owner; an owner may ALTER, disable triggers
 * and DROP; CREATE in the schema would let it shadow the store's names.
 */
export async function appRoleProblems(client: Client, role: string): Promise<string[]> {
  const { rows } = await client.query<{ problem: string }>(
    `WITH r AS (SELECT * FROM pg_roles WHERE rolname = $1)
     SELECT problem FROM (
       SELECT 'it is a superuser' AS problem FROM r WHERE rolsuper
       UNION ALL SELECT 'it may create roles' FROM r WHERE rolcreaterole
       UNION ALL SELECT 'it may create databases' FROM r WHERE rolcreatedb
       UNION ALL SELECT 'it bypasses row-level security' FROM r WHERE rolbypassrls
       UNION ALL SELECT 'it may replicate' FROM r WHERE rolreplication
       UNION ALL SELECT 'it acts as ' || current_user || ', the owner (role membership)' FROM r WHERE pg_has_role(r.oid, current_user, 'USAGE')
       UNION ALL SELECT 'it writes all data (pg_write_all_data)' FROM r WHERE pg_has_role(r.oid, 'pg_write_all_data', 'USAGE')
       UNION ALL SELECT 'it owns objects in this database' FROM r
        WHERE EXISTS (SELECT 1 FROM pg_shdepend d WHERE d.refobjid = r.oid AND d.deptype = 'o'
                        AND (d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                             OR (d.classid = 'pg_database'::regclass AND d.objid = (SELECT oid FROM pg_database WHERE datname = current_database()))))
       UNION ALL SELECT 'it may CREATE in schema ' || current_schema() FROM r WHERE has_schema_privilege(r.oid, current_schema(), 'CREATE')
       UNION ALL SELECT 'there is no such role' WHERE NOT EXISTS (SELECT 1 FROM r)
     ) found`,
    [role],
  );
  return rows.map((row) => row.problem);
}
