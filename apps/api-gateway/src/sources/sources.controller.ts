import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HookledgerConfig } from '@hookledger/config';
import { Access, MANAGERS, OwnedBy, PORTAL_READERS } from '../auth/access';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { notFound } from '../http/not-found';
import { decodeCursor, Page, PageOf, toPage } from '../http/pagination';
import { CreateSourceCommand, DeleteSourceCommand, RotateSourceSecretCommand, UpdateSourceCommand } from './commands';
import {
  CreateSourceDto, DEFAULT_SOURCE_GRACE_PERIOD_S, RotateSourceSecretDto, SourceQuery, SourceResource, SourceWithSecretResource, UpdateSourceDto,
} from './source.dto';
import { SourceRow, SourcesRepository, toSourceResource } from './sources.repository';

/** Incoming webhooks: each source is an ingest URL whose requests are verified with the provider's signature. */
@ApiTags('sources')
@ApiBearerAuth()
@Controller('v1/sources')
export class SourcesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly sources: SourcesRepository,
    private readonly scope: TenantScope,
    private readonly config: HookledgerConfig,
  ) {}

  @Post()
  @Access(MANAGERS)
  @ApiOperation({ summary: 'Create a source: answers its ingest_url and its secret (shown this once)' })
  @ApiCreatedResponse({ type: SourceWithSecretResource })
  async create(@Body() body: CreateSourceDto, @CurrentPrincipal() principal: Principal): Promise<SourceWithSecretResource> {
    const tenantId = this.scope.tenantForNew(principal, body.tenant_id);
    const created = await this.commands.execute(new CreateSourceCommand(tenantId, body.type, body.name, body.secret, actorOf(principal)));
    return { ...toSourceResource(await this.row(created.id, principal), this.config.publicUrl), secret: created.secret };
  }

  @Get()
  @Access(PORTAL_READERS)
  @ApiOperation({ summary: 'Sources, newest first' })
  @ApiOkResponse({ type: PageOf(SourceResource) })
  async list(@Query() query: SourceQuery, @CurrentPrincipal() principal: Principal): Promise<Page<SourceResource>> {
    const limit = query.limit ?? 50;
    const rows = await this.sources.list({ before: decodeCursor(query.cursor), tenantId: this.scope.listTenant(principal, query.tenant_id) }, limit + 1);
    return toPage(rows, limit, (row) => row.id, (row) => toSourceResource(row, this.config.publicUrl));
  }

  @Get(':id')
  @Access(PORTAL_READERS)
  @OwnedBy('source')
  @ApiOkResponse({ type: SourceResource })
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<SourceResource> {
    return toSourceResource(await this.row(id, principal), this.config.publicUrl);
  }

  @Patch(':id')
  @Access(MANAGERS)
  @OwnedBy('source')
  @ApiOkResponse({ type: SourceResource })
  async update(@Param('id') id: string, @Body() body: UpdateSourceDto, @CurrentPrincipal() principal: Principal): Promise<SourceResource> {
    const current = await this.row(id, principal);
    await this.commands.execute(new UpdateSourceCommand(id, current.tenant_id, body.name, actorOf(principal)));
    return toSourceResource(await this.row(id, principal), this.config.publicUrl);
  }

  @Delete(':id')
  @Access(MANAGERS)
  @OwnedBy('source')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    const current = await this.row(id, principal);
    await this.commands.execute(new DeleteSourceCommand(id, current.tenant_id, actorOf(principal)));
  }

  @Post(':id/secret/rotate')
  @Access(MANAGERS)
  @OwnedBy('source')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'A new secret; the current one still verifies for grace_period_s (default one day)' })
  @ApiOkResponse({ type: SourceWithSecretResource })
  async rotate(@Param('id') id: string, @Body() body: RotateSourceSecretDto, @CurrentPrincipal() principal: Principal): Promise<SourceWithSecretResource> {
    const current = await this.row(id, principal);
    const grace = body.grace_period_s ?? DEFAULT_SOURCE_GRACE_PERIOD_S;
    const rotated = await this.commands.execute(new RotateSourceSecretCommand(id, current.tenant_id, current.type, grace, body.secret, actorOf(principal)));
    return { ...toSourceResource(await this.row(id, principal), this.config.publicUrl), secret: rotated.secret };
  }

  /**
   * The source as the inline projection wrote it (already, in the command's transaction), read
   * within the caller's tenant as well as behind the route's ownership check.
   */
  private async row(id: string, principal: Principal): Promise<SourceRow> {
    const row = await this.sources.find(id, principal.tenantId);
    if (!row) throw notFound('source', id);
    return row;
  }
}
