import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access';
import { ApiKeysRepository } from '../auth/api-keys.repository';
import { CurrentPrincipal, Principal, ROLES } from '../auth/principal';
import { TenantsRepository } from '../tenants/tenants.repository';
import { brandingOf } from '../tenants/tenants.service';
import { PortalSessionResource } from './portal.dto';

const UNBRANDED = { name: null, logo_url: null, accent_color: null };

@ApiTags('portal')
@ApiBearerAuth()
@Controller('v1/portal')
export class PortalSessionController {
  constructor(private readonly keys: ApiKeysRepository, private readonly tenants: TenantsRepository) {}

  /** Every key may ask who it is; an expired or revoked token never gets here (401 from the guard: the portal's "link expired"). */
  @Get('session')
  @Access(ROLES)
  @ApiOperation({ summary: 'Who the token is: its tenant, when it expires, and the tenant\'s portal branding' })
  @ApiOkResponse({ type: PortalSessionResource })
  async session(@CurrentPrincipal() principal: Principal): Promise<PortalSessionResource> {
    const [key, tenant] = await Promise.all([
      principal.keyId === 'admin' ? null : this.keys.find(principal.keyId),
      principal.tenantId === null ? null : this.tenants.find(principal.tenantId),
    ]);
    return {
      tenant_id: principal.tenantId,
      key_id: principal.keyId,
      role: principal.role,
      expires_at: key?.expires_at?.toISOString() ?? null,
      branding: tenant ? brandingOf(tenant) : UNBRANDED,
    };
  }
}
