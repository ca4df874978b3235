import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

// `node dist/cli/migrate.js` as docker-compose and a deployment run it: the owner's URL and the
// apps' URL, on a database that does not exist yet and an apps' role that does not exist yet.
const run = promisify(execFile);
const DIST = join(__dirname, '..', '..', process.env.HOOKLEDGER_DIST || 'dist');
const server = () => process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const suffix = randomBytes(4).toString('hex');
const name = `hl_t_roles_${suffix}`;
const role = `hl_t_app_${suffix}`;
const ownerUrl = () => `${server()}/${name}`;
const appUrl = () => {
  const url = new URL(`${server()}/${name}`);
  url.username = role;
  url.password = 'app-secret';
  return url.toString();
};

const migrate = (env: Record<string, string>) =>
  run(process.execPath, [join(DIST, 'cli', 'migrate.js')], { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env } });

async function asAdmin<T>(fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: `${server()}/postgres` });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

afterAll(() => asAdmin(async (admin) => {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`DROP ROLE IF EXISTS ${role}`);
}));

describe('the migration CLI', () => {
  it("migrates as the owner, creates the apps' role named in DATABASE_URL with its password, and grants it", async () => {
    const { stdout } = await migrate({ HOOKS_MIGRATION_DATABASE_URL: ownerUrl(), DATABASE_URL: appUrl() });
    expect(JSON.parse(stdout.trim().split('\n')[0])).toMatchObject({ msg: 'migrations applied', app_role: role });

    const [created] = await asAdmin(async (admin) => (await admin.query(
      `SELECT rolcanlogin, rolsuper, rolpassword IS NOT NULL AS has_password FROM pg_authid WHERE rolname = $1`, [role])).rows);
    expect(created).toEqual({ rolcanlogin: true, rolsuper: false, has_password: true });

    const app = new Client({ connectionString: appUrl() });
    await app.connect();
    try {
      const { rows } = await app.query(`SELECT stream_version FROM hl_append_events($1, $2, $3, $4, $5, $6, $7, $8)`, [
        ['endpoint-cli'], ['endpoint'], [0], ['endpoint-cli'], ['EndpointCreated'], [1], [{ url: 'https://a.example' }], [{}]]);
      expect(rows).toEqual([{ stream_version: 1 }]);
      await expect(app.query('UPDATE events SET data = data')).rejects.toMatchObject({ code: '42501' });
      await expect(app.query('ALTER TABLE events DISABLE TRIGGER events_append_only')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await app.end();
    }

    // Run again (every start does): nothing to migrate, the grants re-applied, the role kept.
    const again = await migrate({ HOOKS_MIGRATION_DATABASE_URL: ownerUrl(), DATABASE_URL: appUrl() });
    expect(JSON.parse(again.stdout.trim().split('\n')[0])).toMatchObject({ migrations: [], app_role: role });
  });

  it('refuses an apps URL on another database than the owner’s', async () => {
    const elsewhere = new URL(appUrl());
    elsewhere.pathname = '/some_other_database';
    await expect(migrate({ HOOKS_MIGRATION_DATABASE_URL: ownerUrl(), DATABASE_URL: elsewhere.toString() }))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('must name the same database') });
  });

  it('warns when the apps would connect as the owner', async () => {
    const { stdout } = await migrate({ DATABASE_URL: ownerUrl() });
    expect(stdout).toContain('the apps connect as the database owner');
  });
});
