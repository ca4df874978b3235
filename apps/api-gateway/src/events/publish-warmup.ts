import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { DEFAULT_TENANT } from '@hookledger/domain';
import { EventSchemaValidator } from '../event-types/event-schema.validator';
import { PublishLookups } from './publish-lookup';

/**
 * Readies the publish path before the gateway listens (Nest runs this in `app.listen()`'s init, so
 * /health answers only after it): otherwise the first burst of `POST /v1/events` after a start
 * opened a Postgres connection per concurrent request (a new backend each, its catalog caches
 * cold), prepared the publish's statement (./publish-lookup) on each and compiled the catalog's
 * schemas, while the clients waited. Here every pool connection is opened at once and prepares the
 * statement, and every schema is compiled. A failure only costs the warm-up: it all happens on
 * demand then, as before.
 */
@Injectable()
export class PublishPathWarmup implements OnApplicationBootstrap {
  private readonly logger = new Logger(PublishPathWarmup.name);

  constructor(
    private readonly config: HookledgerConfig,
    private readonly schemas: EventSchemaValidator,
    private readonly lookups: PublishLookups,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    try {
      // As many at once as the pool holds, so each of its connections is opened and prepares it.
      await Promise.all(Array.from({ length: this.config.dbPoolSize }, () => this.lookups.lookup([{ type: 'warm.up', tenant_id: DEFAULT_TENANT, id: 'warm-up' }])));
      const schemas = await this.schemas.compileAll();
      this.logger.log({ msg: 'publish path warmed up', connections: this.config.dbPoolSize, schemas, ms: Date.now() - started });
    } catch (error) {
      this.logger.warn({ msg: 'publish path warm-up failed; the first publishes do it', err: error });
    }
  }
}
