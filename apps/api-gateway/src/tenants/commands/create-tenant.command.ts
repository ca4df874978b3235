import { Command } from '@nestjs/cqrs';
import type { TenantBranding, TenantQuotas } from '@hookledger/domain';
import type { Principal } from '../../auth/principal';

/** POST /v1/tenants: `tenantId` is the caller's or generated (`ten_…`) by the controller. */
export class CreateTenantCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly name: string,
    readonly metadata: Readonly<Record<string, string>>,
    readonly quotas: TenantQuotas,
    readonly payloadRetentionDays: number | null,
    readonly principal: Principal,
    /** Last, so callers without branding stay as they were. */
    readonly branding?: TenantBranding,
  ) {
    super();
  }
}
