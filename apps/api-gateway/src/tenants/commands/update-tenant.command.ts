import { Command } from '@nestjs/cqrs';
import type { TenantBranding, TenantQuotas } from '@hookledger/domain';
import type { Principal } from '../../auth/principal';

/** PATCH /v1/tenants/:id: only what is named changes; a quota set to null is lifted. */
export class UpdateTenantCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly changes: {
      readonly name?: string;
      readonly metadata?: Readonly<Record<string, string>>;
      readonly quotas?: Partial<TenantQuotas>;
      readonly payload_retention_days?: number | null;
      readonly branding?: TenantBranding;
    },
    readonly principal: Principal,
  ) {
    super();
  }
}
