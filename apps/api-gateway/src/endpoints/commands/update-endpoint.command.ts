import { Command } from '@nestjs/cqrs';
import type { EndpointSettings } from '@hookledger/domain';
import type { EndpointAuthDto } from '../endpoint.dto';

/** PATCH /v1/endpoints/:id: the settings given replace the old ones; `auth` null removes it. */
export class UpdateEndpointCommand extends Command<void> {
  constructor(
    readonly endpointId: string,
    readonly changes: Partial<EndpointSettings>,
    readonly auth: EndpointAuthDto | null | undefined,
    readonly actor: string,
    /** A chat provider's new options (a Telegram bot token left out keeps the sealed one). */
    readonly provider?: unknown,
  ) {
    super();
  }
}
