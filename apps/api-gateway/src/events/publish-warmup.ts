import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { DEFAULT_TENANT } from '@hookledger/domain';
import { EventSchemaValidator } from '../event-types/event-schema.validator';
import { EventTypesRepository } from '../event-types/event-types.repository';
import { TenantsRepository } from '../tenants/tenants.repository';
import { MessagesRepository } from './messages.repository';

/**
 * Readies the publish path before the gateway listens (Nest runs this in `app.listen()`'s init, so
 * /health answers only after it): otherwise the first burst of `POST /v1/events` after a start
 * opened a Postgres connection per concurrent request (a new backend each, its catalog caches
 * cold), prepared the per-publish statements on each, and compiled the catalog's schemas, while
 * the clients waited. Here every pool connection is opened at once and runs the publish's queries,
 * and every schema is compiled. A failure only costs the warm-up: the queries run again on demand.
 */
@Injectable()
export class PublishPathWarmup implements OnApplicationBootstrap {
  private readonly logger = new Logger(PublishPathWarmup.name);

  constructor(
    private readonly config: HookledgerConfig,
    private readonly eventTypes: EventTypesRepository,
    private readonly schemas: EventSchemaValidator,
    private readonly tenants: TenantsRepository,
    private readonly messages: MessagesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    try {
      // As many at once as the pool holds, so each of its connections is opened and runs them.
      await Promise.all(Array.from({ length: this.config.dbPoolSize }, async () => {
        await this.tenants.eventQuota(DEFAULT_TENANT);
        await this.eventTypes.catalogOf(['warm.up']);
        await this.messages.stored([{ tenant_id: DEFAULT_TENANT, id: 'warm-up' }]);
      }));
      const schemas = await this.schemas.compileAll();
      this.logger.log({ msg: 'publish path warmed up', connections: this.config.dbPoolSize, schemas, ms: Date.now() - started });
    } catch (error) {
      this.logger.warn({ msg: 'publish path warm-up failed; the first publishes do it', err: error });
    }
  }
}
