import 'reflect-metadata';
import { ConfigError, loadConfig } from '@hookledger/config';
import { appRoleOf } from './app-role';
import { migrate } from './migrate';

const log = (fields: Record<string, unknown>) => process.stdout.write(JSON.stringify(fields) + '\n');

/**
 * `node dist/cli/migrate.js`: as the owner (HOOKS_MIGRATION_DATABASE_URL, else DATABASE_URL)
 * creates the database if needed, applies pending migrations, then creates the apps' role (the user
 * in DATABASE_URL) if needed and grants it what it may do (docs/database-roles.md).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { needsEncryptionKey: false });
  const appRole = appRoleOf(config.databaseUrl, config.migrationDatabaseUrl);
  const database = (url: string) => new URL(url).pathname;
  if (appRole && database(config.databaseUrl) !== database(config.migrationDatabaseUrl)) {
    throw new ConfigError([`DATABASE_URL and HOOKS_MIGRATION_DATABASE_URL must name the same database (${database(config.databaseUrl)} ≠ ${database(config.migrationDatabaseUrl)})`]);
  }
  const ran = await migrate(config.migrationDatabaseUrl, { appRole });
  log({ level: 'info', msg: 'migrations applied', migrations: ran, app_role: appRole?.name ?? null });
  if (!appRole) {
    log({
      level: 'warn',
      msg: 'the apps connect as the database owner: nothing stops them from rewriting the ledger. Give them a role of their own (docs/database-roles.md)',
    });
  }
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`;
  process.stderr.write(message + '\n');
  process.exit(1);
});
