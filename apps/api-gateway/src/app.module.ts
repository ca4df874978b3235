import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ConfigModule, HookledgerConfig } from '@hookledger/config';
import { DatabaseModule, LedgerCheckpoints, Replays } from '@hookledger/event-store';
import { MessagingModule } from '@hookledger/messaging';
import { HealthModule, MetricsModule } from '@hookledger/observability';
import { SecretsModule, TenantDataKeyEvictions } from '@hookledger/secrets';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuditController } from './audit/audit.controller';
import { LedgerController } from './audit/ledger.controller';
import { LedgerVerifier } from './audit/ledger-verifier';
import { AuditExportController } from './audit/audit-export.controller';
import { LedgerExportService } from './audit/ledger-export.service';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyThrottlerGuard } from './auth/api-key-throttler.guard';
import { ApiKeysController } from './auth/api-keys.controller';
import { ApiKeysRepository } from './auth/api-keys.repository';
import { ApiKeysService } from './auth/api-keys.service';
import { AuthFailureLimiter } from './auth/auth-failure-limiter';
import type { AuthenticatedRequest } from './auth/principal';
import { TenantScope } from './auth/tenant-scope';
import { TenantsController } from './tenants/tenants.controller';
import { EventUsageCounter } from './tenants/event-usage-counter';
import { TenantsRepository } from './tenants/tenants.repository';
import { TenantsService } from './tenants/tenants.service';
import { AttemptBodies } from './deliveries/attempt-bodies';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveryHistoryController } from './audit/delivery-history.controller';
import { DeliveryHistoryRepository } from './audit/delivery-history.repository';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { DeliveryRetryService } from './deliveries/delivery-retry.service';
import { EndpointHealthRepository } from './endpoints/endpoint-health.repository';
import { EndpointSecretController } from './endpoints/endpoint-secret.controller';
import { EndpointSecretService } from './endpoints/endpoint-secret.service';
import { EndpointStateController } from './endpoints/endpoint-state.controller';
import { EndpointTestController } from './endpoints/endpoint-test.controller';
import { DeliveryOutcomeWatch } from './endpoints/delivery-outcome-watch';
import { EndpointTestService } from './endpoints/endpoint-test.service';
import { EndpointsController } from './endpoints/endpoints.controller';
import { EndpointCommandHandlers } from './endpoints/commands';
import { EventTypesController } from './event-types/event-types.controller';
import { EventSchemaValidator } from './event-types/event-schema.validator';
import { EventTypesRepository } from './event-types/event-types.repository';
import { EventTypeCommandHandlers } from './event-types/commands';
import { ApiKeyCommandHandlers } from './auth/commands';
import { ApiKeyDigests } from './auth/api-key-digests';
import { TenantCommandHandlers } from './tenants/commands';
import { ReplayCommandHandlers } from './replays/commands';
import { DeliveryCommandHandlers } from './deliveries/commands';
import { AdhocDestinations } from './events/adhoc-destinations';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { MessagesRepository } from './events/messages.repository';
import { PUBLISH_BODY_CHECKS } from './events/publish-input';
import { PublishPathWarmup } from './events/publish-warmup';
import { PublishLookups } from './events/publish-lookup';
import { JsonContentTypeMiddleware } from './http/content-type.middleware';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { IdempotencyRepository } from './http/idempotency.repository';
import { IdempotencyPruner } from './http/idempotency-pruner';
import { RequestInputMiddleware } from './http/request-input.middleware';
import { validationPipe } from './http/validation';
import { ReplaysController } from './replays/replays.controller';
import { ReplaysService } from './replays/replays.service';
import { WebhookVerificationController } from './webhooks/webhook-verification.controller';
import { WebhookVerificationService } from './webhooks/webhook-verification.service';
import { WebhookTestModule } from './webhooks/webhook-test.module';
import { SourceCommandHandlers } from './sources/commands';
import { SourceIngressController } from './sources/source-ingress.controller';
import { SourceIngressService } from './sources/source-ingress.service';
import { SourceRateLimits } from './sources/source-rate-limits';
import { SourcesController } from './sources/sources.controller';
import { SourcesRepository } from './sources/sources.repository';
import { INGRESS_PREFIX } from './sources/ingress-path';
import { PortalLinkController } from './portal/portal-link.controller';
import { PortalSessionController } from './portal/portal-session.controller';
import { EndpointHealthSeriesController } from './endpoints/endpoint-health-series.controller';
import { EndpointHealthSeriesRepository } from './endpoints/endpoint-health-series.repository';

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
        CqrsModule.forRoot(),
        MetricsModule,
        HealthModule.forRoot('api-gateway'),
        ThrottlerModule.forRoot({
          throttlers: [{
            name: 'default',
            ttl: 1000,
            limit: (context) => context.switchToHttp().getRequest<AuthenticatedRequest>().principal?.rateLimitPerS ?? config.api.rateLimitPerS,
          }],
        }),
        WebhookTestModule,
      ],
      controllers: [EventTypesController, EndpointsController, EndpointStateController, EventsController, DeliveriesController, ReplaysController,
        EndpointSecretController, WebhookVerificationController, EndpointTestController, TenantsController, ApiKeysController, AuditController,
        LedgerController, AuditExportController, DeliveryHistoryController,
        SourcesController, SourceIngressController, PortalLinkController, PortalSessionController, EndpointHealthSeriesController],
      providers: [
        // In this order: who is calling and may they, then how often.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
        { provide: APP_PIPE, useFactory: () => validationPipe(PUBLISH_BODY_CHECKS) },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }, IdempotencyRepository, IdempotencyPruner,
        EventTypesRepository, ...EventTypeCommandHandlers, EventSchemaValidator, ...EndpointCommandHandlers, EventsService, PublishPathWarmup, PublishLookups, MessagesRepository, DeliveriesRepository,
        EndpointHealthRepository, DeliveryRetryService, ...DeliveryCommandHandlers, Replays, ReplaysService, ...ReplayCommandHandlers,
        EndpointSecretService, WebhookVerificationService, EndpointTestService, DeliveryOutcomeWatch, AdhocDestinations,
        TenantScope, AuthFailureLimiter, ApiKeysRepository, ApiKeysService, TenantsRepository, TenantsService, EventUsageCounter,
        ...ApiKeyCommandHandlers, ...TenantCommandHandlers, ApiKeyDigests, LedgerCheckpoints, LedgerVerifier, LedgerExportService,
        AttemptBodies, DeliveryHistoryRepository, TenantDataKeyEvictions,
        ...SourceCommandHandlers, SourcesRepository, SourceIngressService, SourceRateLimits, EndpointHealthSeriesRepository,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // The ingress takes any content type as raw bytes and checks its JSON itself, after the signature.
    consumer.apply(JsonContentTypeMiddleware, RequestInputMiddleware).exclude({ path: `${INGRESS_PREFIX}/*path`, method: RequestMethod.ALL }).forRoutes('*path');
  }
}
