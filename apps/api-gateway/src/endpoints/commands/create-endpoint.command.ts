import { Command } from '@nestjs/cqrs';
import type { EndpointSettings } from '@hookledger/domain';
import type { EndpointAuthDto } from '../endpoint.dto';

/** What POST /v1/endpoints answers beyond the row: the signing key, shown this once. */
export interface CreatedEndpoint {
  readonly id: string;
  readonly shown: { readonly secret: string } | { readonly public_key: string };
}

/** POST /v1/endpoints, and an event published to an ad-hoc `destination.url`. */
export class CreateEndpointCommand extends Command<CreatedEndpoint> {
  constructor(
    readonly tenantId: string,
    readonly settings: Partial<EndpointSettings> & { url: string },
    readonly auth: EndpointAuthDto | null,
    /** A client's own HMAC secret; generated when undefined. */
    readonly secret: string | undefined,
    readonly adhoc: boolean,
    readonly actor: string,
    /** A chat provider's options as the client gave them, bot token included: the handler seals it. */
    readonly provider?: unknown,
  ) {
    super();
  }
}
