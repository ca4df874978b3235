import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HookledgerConfig } from '@hookledger/config';
import { newId } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import { Access, ADMINS, OwnedBy, READERS } from '../auth/access';
import { IssuePortalTokenCommand } from '../auth/commands';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { Page, PageOf } from '../http/pagination';
import { CreatePortalTokenDto, CreateTenantDto, EraseTenantDto, PortalTokenResource, TenantErasureResource, TenantQuery, TenantResource, UpdateTenantDto } from './tenant.dto';
import { CreateTenantCommand, DeleteTenantCommand, EraseTenantCommand, UpdateTenantCommand } from './commands';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService, private readonly commands: CommandBus, private readonly config: HookledgerConfig) {}

  @Post()
  @Access(ADMINS, { acrossTenants: true })
  @ApiOperation({ summary: 'Create a tenant, optionally with quotas' })
  @ApiCreatedResponse({ type: TenantResource })
  @ApiConflictResponse({ description: 'The id is taken' })
  async create(@Body() body: CreateTenantDto, @CurrentPrincipal() principal: Principal): Promise<TenantResource> {
    const id = body.id ?? newId('ten');
    const quotas = { max_endpoints: body.quotas?.max_endpoints ?? null, max_events_per_month: body.quotas?.max_events_per_month ?? null };
    checkLogoUrl(body.branding, this.config);
    await this.commands.execute(new CreateTenantCommand(id, body.name, body.metadata ?? {}, quotas, body.payload_retention_days ?? null, principal, body.branding));
    return this.tenants.get(id);
  }

  @Get()
  @Access(READERS, { acrossTenants: true })
  @ApiOperation({ summary: 'Tenants, by id descending' })
  @ApiOkResponse({ type: PageOf(TenantResource) })
  list(@Query() query: TenantQuery): Promise<Page<TenantResource>> {
    return this.tenants.list(query.cursor, query.limit ?? 50);
  }

  @Get(':id')
  @Access(READERS)
  @OwnedBy('tenant')
  @ApiOperation({ summary: 'A tenant with its quotas and what it uses of them' })
  @ApiOkResponse({ type: TenantResource })
  get(@Param('id') id: string): Promise<TenantResource> {
    return this.tenants.get(id);
  }

  @Patch(':id')
  @Access(ADMINS, { acrossTenants: true })
  @ApiOperation({ summary: 'Rename a tenant, change its metadata, quotas, payload retention or portal branding' })
  @ApiOkResponse({ type: TenantResource })
  async update(@Param('id') id: string, @Body() body: UpdateTenantDto, @CurrentPrincipal() principal: Principal): Promise<TenantResource> {
    checkLogoUrl(body.branding, this.config);
    const changes = { name: body.name, metadata: body.metadata, quotas: body.quotas, payload_retention_days: body.payload_retention_days, branding: body.branding };
    await this.commands.execute(new UpdateTenantCommand(id, changes, principal));
    return this.tenants.get(id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Access(ADMINS, { acrossTenants: true })
  @ApiOperation({ summary: 'Delete a tenant: its endpoints are deleted and its keys revoked; its history stays' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'The default tenant cannot be deleted' })
  remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.commands.execute(new DeleteTenantCommand(id, principal));
  }

  @Post(':id/erase')
  @HttpCode(HttpStatus.OK)
  @Access(ADMINS, { acrossTenants: true })
  @ApiOperation({
    summary: "Erase a tenant's payloads by crypto-shredding",
    description: 'Destroys every data key of the tenant: the payloads and response bodies sealed with them no longer open — in the API, exports, backups and dumps — while the ledger still verifies. Recorded as TenantErased. The tenant itself stays (delete it to stop it); events published afterwards are sealed with new keys.',
  })
  @ApiOkResponse({ type: TenantErasureResource })
  async erase(@Param('id') id: string, @Body() body: EraseTenantDto, @CurrentPrincipal() principal: Principal): Promise<TenantErasureResource> {
    const erasure = await this.commands.execute(new EraseTenantCommand(id, body?.reason ?? null, principal));
    return { tenant_id: erasure.tenant_id, erased_at: erasure.erased_at.toISOString(), keys_destroyed: erasure.keys_destroyed };
  }

  @Post(':id/portal-token')
  @Access(ADMINS)
  @OwnedBy('tenant')
  @ApiOperation({ summary: "A short-lived token for a customer portal: that tenant's endpoints and deliveries, nothing else" })
  @ApiCreatedResponse({ type: PortalTokenResource })
  async issuePortalToken(@Param('id') id: string, @Body() body: CreatePortalTokenDto, @CurrentPrincipal() principal: Principal): Promise<PortalTokenResource> {
    const issued = await this.commands.execute(new IssuePortalTokenCommand(id, body.expires_in_s ?? 3600, principal));
    return { token: issued.token, id: issued.id, tenant_id: id, expires_at: issued.expires_at.toISOString() };
  }
}

/** The portal loads the logo in the customer's browser: https, as deliveries are, unless HOOKS_ALLOW_HTTP. */
function checkLogoUrl(branding: { logo_url?: string | null } | undefined, config: HookledgerConfig): void {
  const url = branding?.logo_url;
  if (!url || config.allowHttp || url.toLowerCase().startsWith('https://')) return;
  throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'branding.logo_url must use https (HOOKS_ALLOW_HTTP is off).', {
    errors: [{ field: 'branding.logo_url', message: 'branding.logo_url must use https' }],
  });
}
