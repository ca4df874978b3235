import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { HookledgerConfig } from '@hookledger/config';
import { EndpointChanges, endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, EndpointProjection } from '@hookledger/event-store';
import { EndpointKeys } from '@hookledger/secrets';
import { EndpointActivation } from './endpoint-activation';
import { EndpointKeyIssuer } from './endpoint-key-issuer';
import { checkChatSettings } from './chat-settings-check';
import { checkEndpointSettings } from './endpoint-settings-check';
import { UpdateEndpointCommand } from './update-endpoint.command';

@CommandHandler(UpdateEndpointCommand)
export class UpdateEndpointHandler implements ICommandHandler<UpdateEndpointCommand> {
  constructor(
    private readonly aggregates: AggregateRepository,
    private readonly endpoints: EndpointProjection,
    private readonly issuer: EndpointKeyIssuer,
    private readonly keys: EndpointKeys,
    private readonly config: HookledgerConfig,
    private readonly activation: EndpointActivation,
  ) {}

  async execute(command: UpdateEndpointCommand): Promise<void> {
    const id = command.endpointId;
    // The type is fixed at creation, so the row read before the append decides which settings fit.
    const row = await this.endpoints.find(id);
    const { url, ...rest } = command.changes;
    if (row) {
      checkChatSettings(row.type, {
        url, provider: command.provider, template: command.changes.template, webhookOnly: { ...rest, auth: command.auth, secret: undefined },
      }, true);
    }
    checkEndpointSettings(command.changes, this.config);
    const auth = command.auth === undefined ? null : this.issuer.auth(id, command.auth);
    const provider = command.provider === undefined || !row ? null : this.issuer.provider(id, row.type, command.provider, row.provider);
    const changes: EndpointChanges = {
      ...command.changes, ...(auth && { auth: auth.reference }), ...(provider && { provider: provider.reference }),
    };
    const metadata = row ? { actor: command.actor, tenant_id: row.tenant_id } : { actor: command.actor };
    const rows = [auth?.row ?? null, provider?.row ?? null].filter((key) => key !== null);
    await this.aggregates.transaction(async (tx) => {
      const handled = await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id), { type: 'UpdateEndpoint', endpoint_id: id, changes }, metadata);
      if (rows.length > 0) await this.keys.insert(tx, rows);
      await this.activation.followUp(tx, metadata, handled.events);
    });
  }
}
