import 'reflect-metadata';
import { ConfigError, loadConfig } from '@hookledger/config';
import { createDataSource } from '@hookledger/event-store';
import { reencryptSecrets } from './reencrypt-secrets';
import { SecretCipher } from './secret-cipher';

/**
 * `node dist/cli/reencrypt-secrets.js`: re-seals every secret at rest with HOOKS_ENCRYPTION_KEY,
 * opening older values with HOOKS_ENCRYPTION_KEY_PREVIOUS. Once a run reports nothing
 * re-encrypted and no failures, the previous keys can be removed.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const cipher = new SecretCipher(config.encryptionKey, config.previousEncryptionKeys);
  const db = await createDataSource({ url: config.databaseUrl, poolSize: 2, applicationName: 'hookledger-reencrypt-secrets' }).initialize();
  try {
    const report = await reencryptSecrets(db, cipher);
    process.stdout.write(JSON.stringify({ level: report.failures.length ? 'error' : 'info', msg: 'secrets re-encrypted', ...report }) + '\n');
    if (report.failures.length > 0) process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `re-encryption failed: ${(error as Error).message}`;
  process.stderr.write(message + '\n');
  process.exit(1);
});
