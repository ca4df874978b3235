import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { dataSourceOptions } from './data-source';
import { EventStore } from './event-store';
import { EventReader } from './event-reader';
import { AggregateRepository } from './aggregate-repository';
import { EndpointProjection } from './projections/endpoint-projection';
import { Outbox } from './projections/outbox';
import { EndpointCircuits } from './endpoint-circuits';

/** Postgres for an app: the TypeORM DataSource (inject `DataSource`), the EventStore and EventReader. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(applicationName: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [HookledgerConfig],
          useFactory: (config: HookledgerConfig) => ({
            ...dataSourceOptions({ url: config.databaseUrl, poolSize: config.dbPoolSize, applicationName }),
            // Fail fast at start instead of retrying forever; the process supervisor restarts us.
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
      ],
      providers: [EventStore, EventReader, AggregateRepository, EndpointProjection, Outbox, EndpointCircuits],
      exports: [EventStore, EventReader, AggregateRepository, EndpointProjection, Outbox, EndpointCircuits, TypeOrmModule],
    };
  }
}
