import { Injectable } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { generateSecret, newId } from '@hookledger/domain';
import { EndpointProjection } from '@hookledger/event-store';
import { SecretCipher, sealedAt } from '@hookledger/secrets';
import { changeMetadata, Principal } from '../auth/principal';
import { checkDestinationUrl } from '../endpoints/destination-url';
import { TenantsService } from '../tenants/tenants.service';
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
  constructor(
    private readonly endpoints: EndpointProjection,
    private readonly tenants: TenantsService,
    private readonly cipher: SecretCipher,
    private readonly config: HookledgerConfig,
  ) {}

  /**
   * Created before the event is published. A crash in between leaves an ad-hoc endpoint that
   * nothing is ever delivered to: harmless, and the client, without a 202, publishes again.
   */
  async create(destination: DestinationDto, tenantId: string, principal: Principal): Promise<AcceptedDestination> {
    checkDestinationUrl(destination.url, 'destination.url', this.config);
    const id = newId('ep');
    const secret = generateSecret();
    const fields = {
      url: destination.url,
      description: 'ad-hoc destination',
      event_types: null,
      active: true,
      headers: {},
      retry_schedule: null,
      timeout_ms: null,
      rate_limit_per_s: null,
      channels: null,
      metadata: {},
      filter: null,
      payload_format: 'envelope' as const,
      signature_profile: 'standard' as const,
    };
    await this.endpoints.transaction(async (tx) => {
      await this.tenants.admitEndpoint(tx, tenantId);
      await this.endpoints.insert(
        tx,
        { id, tenant_id: tenantId, ...fields, auth: null, adhoc: true, secrets: [{ sealed: this.cipher.seal(secret, sealedAt.endpointSecret(id)), expires_at: null }] },
        { type: 'EndpointCreated', data: { id, tenant_id: tenantId, ...fields, auth: null, adhoc: true }, metadata: changeMetadata(principal, tenantId) },
      );
    });
    return { endpoint_id: id, url: destination.url, secret };
  }
}
