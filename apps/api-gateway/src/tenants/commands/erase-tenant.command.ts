import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../auth/principal';

/** What an erasure did: its time and how many data keys it destroyed. */
export interface TenantErasure {
  readonly tenant_id: string;
  readonly erased_at: Date;
  readonly keys_destroyed: number;
}

/**
 * POST /v1/tenants/:id/erase: crypto-shredding. The tenant's data keys are destroyed and
 * TenantErased appended in one transaction, so either both happened or neither.
 */
export class EraseTenantCommand extends Command<TenantErasure> {
  constructor(readonly tenantId: string, readonly reason: string | null, readonly principal: Principal) {
    super();
  }
}
