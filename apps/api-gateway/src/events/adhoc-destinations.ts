import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { HookledgerConfig } from '@hookledger/config';
import { actorOf, Principal } from '../auth/principal';
import { CreateEndpointCommand } from '../endpoints/commands';
import { checkDestinationUrl } from '../endpoints/destination-url';
import type { AcceptedDestination, DestinationDto } from './event.dto';

/**
 * An event published with `destination.url` goes to an endpoint of its own: an ad-hoc one, with a
 * fresh secret, that no subscription matches and endpoint lists leave out. The event is then
 * published targeted at it, so its delivery is signed, retried and recorded like any other.
 * It counts against the tenant's max_endpoints like any endpoint, until the scheduler deletes it
 * (HOOKS_ADHOC_RETENTION after its deliveries ended): one tenant cannot pile up endpoints this way.
 */
@Injectable()
export class AdhocDestinations {
  constructor(private readonly commands: CommandBus, private readonly config: HookledgerConfig) {}

  /**
   * Created before the event is published. A crash in between leaves an ad-hoc endpoint that
   * nothing is ever delivered to: harmless, and the client, without a 202, publishes again.
   */
  async create(destination: DestinationDto, tenantId: string, principal: Principal): Promise<AcceptedDestination> {
    checkDestinationUrl(destination.url, 'destination.url', this.config);
    const settings = { url: destination.url, description: 'ad-hoc destination' };
    const created = await this.commands.execute(new CreateEndpointCommand(tenantId, settings, null, undefined, true, actorOf(principal)));
    if (!('secret' in created.shown)) throw new Error('an ad-hoc destination signs with the standard profile, an HMAC secret');
    return { endpoint_id: created.id, url: destination.url, secret: created.shown.secret };
  }
}
