import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { HookledgerConfig } from '@hookledger/config';
import { EndpointChanges, endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, EndpointProjection } from '@hookledger/event-store';
import { EndpointKeys } from '@hookledger/secrets';
import { EndpointActivation } from './endpoint-activation';
import { EndpointKeyIssuer } from './endpoint-key-issuer';
import { checkEndpointSettings } from './endpoint-settings-check';
import { endpointMetadata } from './endpoint-metadata';
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
    checkEndpointSettings(command.changes, this.config);
    const id = command.endpointId;
    const auth = command.auth === undefined ? null : this.issuer.auth(id, command.auth);
    const changes: EndpointChanges = auth ? { ...command.changes, auth: auth.reference } : command.changes;
    const metadata = await endpointMetadata(this.endpoints, id, command.actor);
    await this.aggregates.transaction(async (tx) => {
      const handled = await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id), { type: 'UpdateEndpoint', endpoint_id: id, changes }, metadata);
      if (auth?.row) await this.keys.insert(tx, [auth.row]);
      await this.activation.followUp(tx, metadata, handled.events);
    });
  }
}
