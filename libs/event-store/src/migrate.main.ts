import { ConfigError, HookledgerConfig, loadConfig } from '@hookledger/config';
import { SecretCipher, TenantDataKeys } from '@hookledger/secrets';
import { appRoleOf } from './app-role';
import { createDataSource } from './data-source';
import { ensureDatabase, migrate } from './migrate';

const log = (fields: Record<string, unknown>) => process.stdout.write(JSON.stringify(fields) + '\n');

/**
 * `node dist/cli/migrate.js`: as the owner (HOOKS_MIGRATION_DATABASE_URL, else DATABASE_URL)
 * creates the database if needed, applies pending migrations, then creates the apps' role (the user
 * in DATABASE_URL) if needed and grants it what it may do (docs/database-roles.md).
 *
 * Migrations need no keys, except 1732400000069 on a store that still holds plaintext payloads:
 * with HOOKS_ENCRYPTION_KEY configured (always, outside production) it gets the tenants' data
 * keys to seal them with; without, it refuses and says so.
 */
async function main(): Promise<void> {
  const withKeys = configWithKeys();
  const config = withKeys ?? loadConfig(process.env, { needsEncryptionKey: false });
  const appRole = appRoleOf(config.databaseUrl, config.migrationDatabaseUrl);
  const database = (url: string) => new URL(url).pathname;
  if (appRole && database(config.databaseUrl) !== database(config.migrationDatabaseUrl)) {
    throw new ConfigError([`DATABASE_URL and HOOKS_MIGRATION_DATABASE_URL must name the same database (${database(config.databaseUrl)} ≠ ${database(config.migrationDatabaseUrl)})`]);
  }
  await ensureDatabase(config.migrationDatabaseUrl);
  // The data keys are written as the owner too: the apps' role may not exist before the migrations end.
  const keysDb = withKeys ? await createDataSource({ url: config.migrationDatabaseUrl, poolSize: 1, applicationName: 'hookledger-migrate-keys' }).initialize() : null;
  try {
    const sealer = keysDb && new TenantDataKeys(keysDb, new SecretCipher(config.encryptionKey, config.previousEncryptionKeys), config);
    const ran = await migrate(config.migrationDatabaseUrl, {
      appRole,
      legacySealing: { sealer: sealer && { seal: (items) => sealer.sealDated(items) }, allowAfterCheckpoints: config.retention.sealLegacyAfterCheckpoints },
    });
    log({ level: 'info', msg: 'migrations applied', migrations: ran, app_role: appRole?.name ?? null });
  } finally {
    await keysDb?.destroy();
  }
  if (!appRole) {
    log({
      level: 'warn',
      msg: 'the apps connect as the database owner: nothing stops them from rewriting the ledger. Give them a role of their own (docs/database-roles.md)',
    });
  }
}

/** The configuration with its keys, or null when they are not configured (production without HOOKS_ENCRYPTION_KEY). */
function configWithKeys(): HookledgerConfig | null {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) return null;
    throw error;
  }
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`;
  process.stderr.write(message + '\n');
  process.exit(1);
});
