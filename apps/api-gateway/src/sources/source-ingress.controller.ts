import { Controller, HttpCode, HttpStatus, Param, Post, Req, SetMetadata } from '@nestjs/common';
import {
  ApiAcceptedResponse, ApiBody, ApiNotFoundResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { PUBLIC_ROUTE } from '@hookledger/observability';
import { NaturallyIdempotent } from '../http/idempotency.interceptor';
import { INGRESS_PREFIX } from './ingress-path';
import { IngestAcceptedResource } from './source.dto';
import { SourceIngressService } from './source-ingress.service';

/** Where providers send their webhooks. No API key: the provider's signature is the credential. */
@ApiTags('sources')
@Controller(INGRESS_PREFIX)
export class SourceIngressController {
  constructor(private readonly ingress: SourceIngressService) {}

  @Post(':source_id')
  @SetMetadata(PUBLIC_ROUTE, true)
  // A provider's retry is deduplicated on its own delivery id; an Idempotency-Key would add nothing.
  @NaturallyIdempotent()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Receive a provider\'s webhook: verify its signature over the raw body, publish each event it carries (see docs/sources.md)' })
  @ApiBody({ description: 'The provider\'s payload, exactly as it signed it (HubSpot: an array of events)', schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } })
  @ApiAcceptedResponse({ type: IngestAcceptedResource, description: 'Verified and durably accepted (duplicates too, marked so, and not delivered again)' })
  @ApiUnauthorizedResponse({ description: 'The signature is missing, does not match, or its timestamp is outside five minutes' })
  @ApiNotFoundResponse({ description: 'No such source (or deleted)' })
  @ApiPayloadTooLargeResponse({ description: 'Body over HOOKS_SOURCE_MAX_BODY_BYTES' })
  @ApiTooManyRequestsResponse({ description: 'Over the per-source or per-address rate limit' })
  ingest(@Param('source_id') sourceId: string, @Req() request: Request): Promise<IngestAcceptedResource> {
    return this.ingress.ingest({ sourceId, method: request.method, originalUrl: request.originalUrl, headers: request.headers, body: request.body, ip: request.ip });
  }
}
