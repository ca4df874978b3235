import type { Provider } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@hookledger/config';
import { topology } from '@hookledger/contracts';
import type { Topology } from '@hookledger/contracts';
import { DatabaseModule } from '@hookledger/event-store';
import { MessagingModule } from '@hookledger/messaging';
import { SecretsModule } from '@hookledger/secrets';
import { createTestDatabase, TestDatabase } from './test-database';
import { deleteStreams, natsUrl, uniqueNamespace } from './test-nats';

export interface TestModuleOptions {
  /** Names the module's Postgres pool and NATS connection: two instances of an app in one spec need two names. */
  readonly name?: string;
  /** The providers under test, next to what the apps' wiring gives them (config, DataSource, event store, JetStream). */
  readonly providers?: Provider[];
  /** Settings on top of the environment, as an operator sets them (`HOOKS_SCHEDULER_INTERVAL_MS: '20'`). */
  readonly env?: Record<string, string>;
}

/**
 * Config, Postgres (when given a database) and JetStream wired as the apps wire them, around only
 * the providers under test. Compiled, not initialised: timers and consumers stay off until the
 * test calls `init()`.
 */
export function compileTestModule(options: TestModuleOptions & { readonly namespace: string; readonly database?: TestDatabase }): Promise<TestingModule> {
  const name = options.name ?? 'test';
  const config = loadConfig({
    ...process.env,
    ...(options.database && { DATABASE_URL: options.database.url }),
    NATS_URL: natsUrl(),
    HOOKS_NATS_NAMESPACE: options.namespace,
    ...options.env,
  });
  return Test.createTestingModule({
    // Secrets with the database: sealing and opening payloads and endpoint keys read their key tables.
    imports: [ConfigModule.forRoot(config), ...(options.database ? [DatabaseModule.forRoot(name), SecretsModule] : []), MessagingModule.forRoot(name)],
    providers: options.providers ?? [],
  }).compile();
}

/**
 * A spec file's own database (cloned from the migrated template) and NATS namespace, and the Nest
 * testing modules built on them. `close()` undoes all of it.
 */
export class TestInfrastructure {
  private readonly modules: TestingModule[] = [];

  private constructor(readonly database: TestDatabase, readonly topology: Topology) {}

  static async create(): Promise<TestInfrastructure> {
    return new TestInfrastructure(await createTestDatabase(), topology(uniqueNamespace()));
  }

  get namespace(): string {
    return this.topology.namespace;
  }

  /** One more module on this database and namespace (see `compileTestModule`); `close()` closes it. */
  async compile(options: TestModuleOptions = {}): Promise<TestingModule> {
    const moduleRef = await compileTestModule({ ...options, namespace: this.namespace, database: this.database });
    this.modules.push(moduleRef);
    return moduleRef;
  }

  /** Closes the modules first, so no consumer or timer outlives the streams, then deletes the streams and drops the database. */
  async close(): Promise<void> {
    for (const moduleRef of this.modules.splice(0)) await moduleRef.close();
    await deleteStreams(natsUrl(), this.namespace).catch(() => undefined);
    await this.database.drop();
  }
}
