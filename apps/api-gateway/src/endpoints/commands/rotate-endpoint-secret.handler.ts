import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, EndpointProjection } from '@hookledger/event-store';
import { EndpointKeys } from '@hookledger/secrets';
import { notFound } from '../../http/not-found';
import { EndpointKeyIssuer } from './endpoint-key-issuer';
import { RotateEndpointSecretCommand } from './rotate-endpoint-secret.command';

@CommandHandler(RotateEndpointSecretCommand)
export class RotateEndpointSecretHandler implements ICommandHandler<RotateEndpointSecretCommand> {
  constructor(
    private readonly aggregates: AggregateRepository,
    private readonly endpoints: EndpointProjection,
    private readonly issuer: EndpointKeyIssuer,
    private readonly keys: EndpointKeys,
  ) {}

  async execute(command: RotateEndpointSecretCommand): Promise<void> {
    const id = command.endpointId;
    const current = await this.endpoints.find(id);
    if (!current) throw notFound('endpoint', id);
    // The key's kind follows the profile it will sign for; a race that changes the profile in
    // between is caught by the domain (PATCH refuses a change of key kind).
    const key = this.issuer.signingKey(id, command.signatureProfile ?? current.signature_profile, command.secret);
    await this.aggregates.transaction(async (tx) => {
      await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id), {
        type: 'RotateEndpointSecret', endpoint_id: id, secret_key_id: key.row.key_id, grace_period_s: command.gracePeriodS,
        ...(command.signatureProfile !== undefined && { signature_profile: command.signatureProfile }), now: new Date(),
      }, { actor: command.actor, tenant_id: current.tenant_id });
      await this.keys.insert(tx, [key.row]);
    });
  }
}
