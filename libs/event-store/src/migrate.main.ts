import 'reflect-metadata';
import { ConfigError, HookledgerConfig, loadConfig } from '@hookledger/config';
import { SecretCipher, TenantDataKeys } from '@hookledger/secrets';
import { createDataSource } from './data-source';
import { ensureDatabase, migrate } from './migrate';

/**
 * `node dist/cli/migrate.js`: creates the database if needed and applies pending migrations.
 * Migrations need no keys, except 1732400000069 on a store that still holds plaintext payloads:
 * with HOOKS_ENCRYPTION_KEY configured (always, outside production) it gets the tenants' data
 * keys to seal them with; without, it refuses and says so.
 */
async function main(): Promise<void> {
  const withKeys = configWithKeys();
  const config = withKeys ?? loadConfig(process.env, { needsEncryptionKey: false });
  await ensureDatabase(config.databaseUrl);
  const keysDb = withKeys ? await createDataSource({ url: config.databaseUrl, poolSize: 1, applicationName: 'hookledger-migrate-keys' }).initialize() : null;
  try {
    const sealer = keysDb && new TenantDataKeys(keysDb, new SecretCipher(config.encryptionKey, config.previousEncryptionKeys), config);
    const ran = await migrate(config.databaseUrl, {
      legacySealing: { sealer: sealer && { seal: (items) => sealer.sealDated(items) }, allowAfterCheckpoints: config.retention.sealLegacyAfterCheckpoints },
    });
    process.stdout.write(JSON.stringify({ level: 'info', msg: 'migrations applied', migrations: ran }) + '\n');
  } finally {
    await keysDb?.destroy();
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
