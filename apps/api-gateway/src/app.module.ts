import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ConfigModule, HookledgerConfig } from '@hookledger/config';
import { DatabaseModule } from '@hookledger/event-store';
import { MessagingModule } from '@hookledger/messaging';
import { HealthModule, MetricsModule } from '@hookledger/observability';
import { SecretsModule } from '@hookledger/secrets';
import { ApiKeyGuard } from './auth/api-key.guard';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { EndpointsController } from './endpoints/endpoints.controller';
import { EndpointsRepository } from './endpoints/endpoints.repository';
import { EndpointsService } from './endpoints/endpoints.service';
import { EventTypesController } from './event-types/event-types.controller';
import { EventTypesRepository } from './event-types/event-types.repository';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { MessagesRepository } from './events/messages.repository';
import { JsonContentTypeMiddleware } from './http/content-type.middleware';
import { validationPipe } from './http/validation';

@Module({})
export class ApiGatewayModule implements NestModule {
  static forRoot(config: HookledgerConfig): DynamicModule {
    return {
      module: ApiGatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('hookledger-api-gateway'),
        MessagingModule.forRoot('api-gateway'),
        SecretsModule,
        MetricsModule,
        HealthModule.forRoot('api-gateway'),
      ],
      controllers: [EventTypesController, EndpointsController, EventsController, DeliveriesController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_PIPE, useFactory: validationPipe },
        EventTypesRepository, EndpointsRepository, EndpointsService, EventsService, MessagesRepository, DeliveriesRepository,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonContentTypeMiddleware).forRoutes('*path');
  }
}
