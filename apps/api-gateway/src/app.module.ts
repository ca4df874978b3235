import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ConfigModule, HookledgerConfig } from '@hookledger/config';
import { DatabaseModule, Replays } from '@hookledger/event-store';
import { MessagingModule } from '@hookledger/messaging';
import { HealthModule, MetricsModule } from '@hookledger/observability';
import { SecretsModule } from '@hookledger/secrets';
import { ApiKeyGuard } from './auth/api-key.guard';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { DeliveryRetryService } from './deliveries/delivery-retry.service';
import { EndpointHealthRepository } from './endpoints/endpoint-health.repository';
import { EndpointStateController } from './endpoints/endpoint-state.controller';
import { EndpointStateService } from './endpoints/endpoint-state.service';
import { EndpointsController } from './endpoints/endpoints.controller';
import { EndpointsService } from './endpoints/endpoints.service';
import { EventTypesController } from './event-types/event-types.controller';
import { EventTypesRepository } from './event-types/event-types.repository';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { MessagesRepository } from './events/messages.repository';
import { JsonContentTypeMiddleware } from './http/content-type.middleware';
import { validationPipe } from './http/validation';
import { ReplaysController } from './replays/replays.controller';
import { ReplaysService } from './replays/replays.service';

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
      controllers: [EventTypesController, EndpointsController, EndpointStateController, EventsController, DeliveriesController, ReplaysController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_PIPE, useFactory: validationPipe },
        EventTypesRepository, EndpointsService, EventsService, MessagesRepository, DeliveriesRepository,
        EndpointStateService, EndpointHealthRepository, DeliveryRetryService, Replays, ReplaysService,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonContentTypeMiddleware).forRoutes('*path');
  }
}
