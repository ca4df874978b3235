import 'reflect-metadata';
import { ConfigError, loadConfig } from '@hookledger/config';
import { createDataSource } from './data-source';
import { projectorsNamed, UnknownProjectionError } from './projections/registry';
import { rebuildProjection } from './projections/rebuild-projection';

const BATCH_SIZE = 1000;
const log = (fields: Record<string, unknown>) => process.stdout.write(JSON.stringify({ level: 'info', ...fields }) + '\n');

/**
 * `npm run projections:rebuild [-- <name>…]`: rebuilds the named projections (all when none is
 * named) from the event store, one transaction each. It may run beside a live system: readers keep
 * the old rows until each projection commits, writers to its tables wait meanwhile (see
 * rebuildProjection). Exits 2 on an unknown name, before touching anything.
 */
async function main(names: readonly string[]): Promise<void> {
  const projectors = projectorsNamed(names);
  const config = loadConfig(process.env, { needsEncryptionKey: false });
  const db = createDataSource({ url: config.databaseUrl, poolSize: 1, applicationName: 'hookledger-rebuild-projections' });
  await db.initialize();
  try {
    for (const projector of projectors) {
      const started = Date.now();
      log({
        msg: 'rebuilding projection', projection: projector.name, mode: projector.mode, tables: projector.tables,
        live: 'safe beside a live system: reads see the old rows until this projection commits; writes to its tables wait until then',
      });
      let reported = 0;
      const done = await rebuildProjection(db, projector, {
        batchSize: BATCH_SIZE,
        onProgress: ({ events }) => {
          if (events - reported < BATCH_SIZE * 10) return;
          reported = events;
          log({ msg: 'rebuild progress', projection: projector.name, events });
        },
      });
      log({ msg: 'projection rebuilt', projection: projector.name, events: done.events, duration_ms: Date.now() - started });
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof UnknownProjectionError
    ? error.message
    : `rebuild failed, nothing of the projection being rebuilt was changed: ${(error as Error).message}`;
  process.stderr.write(message + '\n');
  process.exit(error instanceof UnknownProjectionError ? 2 : 1);
});
