import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { sourceStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { EndpointKeys } from '@hookledger/secrets';
import { RotateSourceSecretCommand } from './rotate-source-secret.command';
import { sourceAggregate } from './source-aggregate';
import { issueSourceSecret } from './source-secret';

@CommandHandler(RotateSourceSecretCommand)
export class RotateSourceSecretHandler implements ICommandHandler<RotateSourceSecretCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly keys: EndpointKeys) {}

  async execute(command: RotateSourceSecretCommand): Promise<{ secret: string }> {
    const issued = issueSourceSecret(this.keys, command.sourceId, command.type, command.secret);
    await this.aggregates.transaction(async (tx) => {
      await this.aggregates.handleIn(tx, sourceAggregate, sourceStreamId(command.sourceId), {
        kind: 'RotateSourceSecret', source_id: command.sourceId, secret_key_id: issued.row.key_id, grace_period_s: command.gracePeriodS, now: new Date(),
      }, { actor: command.actor, tenant_id: command.tenantId });
      await this.keys.insert(tx, [issued.row]);
    });
    return { secret: issued.secret };
  }
}
