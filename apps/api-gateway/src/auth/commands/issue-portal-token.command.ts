import { Command } from '@nestjs/cqrs';
import type { Principal } from '../principal';

export interface IssuedPortalToken {
  readonly id: string;
  /** Answered this once, stored only as its digest. */
  readonly token: string;
  readonly expires_at: Date;
}

/** POST /v1/tenants/:id/portal-token: a key with the role portal, bound to the tenant, that expires. */
export class IssuePortalTokenCommand extends Command<IssuedPortalToken> {
  constructor(readonly tenantId: string, readonly expiresInS: number, readonly principal: Principal) {
    super();
  }
}
