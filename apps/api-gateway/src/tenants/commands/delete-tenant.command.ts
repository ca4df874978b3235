import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../auth/principal';

/**
 * DELETE /v1/tenants/:id: its endpoints are deleted (nothing more is delivered for it) and its
 * keys revoked (they stop working at once), each on its own stream, in one transaction.
 */
export class DeleteTenantCommand extends Command<void> {
  constructor(readonly tenantId: string, readonly principal: Principal) {
    super();
  }
}
