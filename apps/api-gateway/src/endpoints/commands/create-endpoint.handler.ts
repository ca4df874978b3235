import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { HookledgerConfig } from '@hookledger/config';
import { endpointStreamId, newId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate } from '@hookledger/event-store';
import { EndpointKeys } from '@hookledger/secrets';
import { TenantsService } from '../../tenants/tenants.service';
import { CreatedEndpoint, CreateEndpointCommand } from './create-endpoint.command';
import { EndpointKeyIssuer } from './endpoint-key-issuer';
import { checkChatSettings } from './chat-settings-check';
import { checkEndpointSettings } from './endpoint-settings-check';

@CommandHandler(CreateEndpointCommand)
export class CreateEndpointHandler implements ICommandHandler<CreateEndpointCommand> {
  constructor(
    private readonly aggregates: AggregateRepository,
    private readonly issuer: EndpointKeyIssuer,
    private readonly keys: EndpointKeys,
    private readonly config: HookledgerConfig,
    private readonly tenants: TenantsService,
  ) {}

  async execute(command: CreateEndpointCommand): Promise<CreatedEndpoint> {
    const type = command.settings.type ?? 'webhook';
    const { url, ...rest } = command.settings;
    checkChatSettings(type, {
      url: type === 'telegram' && url === '' ? undefined : url, provider: command.provider, template: command.settings.template,
      webhookOnly: { ...rest, auth: command.auth ?? undefined, secret: command.secret },
    }, false);
    // An ad-hoc destination's URL was checked as destination.url by the publish path; Telegram's is the Bot API.
    if (!command.adhoc) checkEndpointSettings(type === 'telegram' ? rest : command.settings, this.config);
    const id = newId('ep');
    const signing = this.issuer.signingKey(id, command.settings.signature_profile ?? 'standard', command.secret);
    const auth = this.issuer.auth(id, command.auth);
    const provider = this.issuer.provider(id, type, command.provider, null);
    const settings = { ...command.settings, provider: provider.reference };
    const rows = [signing.row, auth.row, provider.row].filter((row) => row !== null);
    await this.aggregates.transaction(async (tx) => {
      // The quota is counted under the tenant's lock, before the new row exists.
      await this.tenants.admitEndpoint(tx, command.tenantId);
      await this.keys.insert(tx, rows);
      await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id), {
        type: 'CreateEndpoint', endpoint_id: id, tenant_id: command.tenantId, settings,
        auth: auth.reference, secret_key_id: signing.row.key_id, adhoc: command.adhoc,
      }, { actor: command.actor, tenant_id: command.tenantId });
    });
    return { id, shown: signing.shown };
  }
}
