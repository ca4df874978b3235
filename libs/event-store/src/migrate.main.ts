import 'reflect-metadata';
import { ConfigError, loadConfig } from '@hookledger/config';
import { migrate } from './migrate';

/** `node dist/cli/migrate.js`: creates the database if needed and applies pending migrations. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { needsEncryptionKey: false });
  const ran = await migrate(config.databaseUrl);
  process.stdout.write(JSON.stringify({ level: 'info', msg: 'migrations applied', migrations: ran }) + '\n');
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`;
  process.stderr.write(message + '\n');
  process.exit(1);
});
