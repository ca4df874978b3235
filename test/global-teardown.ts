import { startedInfrastructure } from './global-setup';

/** Stops the Postgres and NATS that test/global-setup.ts started (nothing when it found them running). */
export default async function globalTeardown(): Promise<void> {
  const started = startedInfrastructure();
  while (started.length > 0) await started.pop()?.stop();
}
