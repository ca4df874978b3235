import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId, sourceStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { EndpointKeys } from '@hookledger/secrets';
import { TenantsRepository } from '../../tenants/tenants.repository';
import { unknownTenant } from '../../tenants/tenants.service';
import { CreateSourceCommand } from './create-source.command';
import { sourceAggregate } from './source-aggregate';
import { issueSourceSecret } from './source-secret';

@CommandHandler(CreateSourceCommand)
export class CreateSourceHandler implements ICommandHandler<CreateSourceCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly keys: EndpointKeys, private readonly tenants: TenantsRepository) {}

  async execute(command: CreateSourceCommand): Promise<{ id: string; secret: string }> {
    const id = newId('src');
    const issued = issueSourceSecret(this.keys, id, command.type, command.secret);
    // The key row exists exactly when the event naming it does: both in one transaction.
    await this.aggregates.transaction(async (tx) => {
      // Under the tenant's lock, as deleting the tenant takes it: no source slips in after its sweep.
      if (!(await this.tenants.lock(tx, command.tenantId))) throw unknownTenant(command.tenantId);
      await this.keys.insert(tx, [issued.row]);
      await this.aggregates.handleIn(tx, sourceAggregate, sourceStreamId(id), {
        kind: 'CreateSource', source_id: id, tenant_id: command.tenantId, type: command.type, name: command.name, secret_key_id: issued.row.key_id,
      }, { actor: command.actor, tenant_id: command.tenantId });
    });
    return { id, secret: issued.secret };
  }
}
