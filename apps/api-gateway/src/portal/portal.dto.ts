import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../auth/principal';
import { TenantBrandingResource } from '../tenants/tenant.dto';

export { CreatePortalTokenDto as CreatePortalLinkDto } from '../tenants/tenant.dto';

export class PortalLinkResource {
  @ApiProperty({ description: 'key_… id of the token: DELETE /v1/api-keys/:id revokes the link at once' }) id!: string;
  @ApiProperty({
    example: 'https://hooks.example.com/portal/#token=hlp_…',
    description: 'Shown once. The token is in the fragment, which browsers never send to a server or put in a Referer',
  })
  url!: string;
  @ApiProperty({ description: 'Shown once: the same token as in the URL', example: 'hlp_…' }) token!: string;
  @ApiProperty() expires_at!: string;
}

export class PortalSessionResource {
  @ApiProperty({ type: String, nullable: true, description: 'The tenant the token sees; null for a key that works across tenants' }) tenant_id!: string | null;
  @ApiProperty({ description: 'key_… id of the token (admin for the bootstrap key)' }) key_id!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, nullable: true, description: 'When the token stops working; null for a key that does not expire' }) expires_at!: string | null;
  @ApiProperty({ type: TenantBrandingResource }) branding!: TenantBrandingResource;
}
