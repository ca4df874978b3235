import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PageOf } from '../http/pagination';
import { Access, ADMINS, OwnedBy } from './access';
import { ApiKeyQuery, ApiKeyResource, CreateApiKeyDto, CreatedApiKeyResource } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyCommand, RevokeApiKeyCommand } from './commands';
import { CurrentPrincipal, Principal } from './principal';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService, private readonly commands: CommandBus) {}

  @Post()
  @Access(ADMINS)
  @ApiOperation({ summary: 'Create an API key with a role, optionally bound to a tenant; the key is shown this once' })
  @ApiCreatedResponse({ type: CreatedApiKeyResource })
  async create(@Body() body: CreateApiKeyDto, @CurrentPrincipal() principal: Principal): Promise<CreatedApiKeyResource> {
    const created = await this.commands.execute(new CreateApiKeyCommand(body, principal));
    return { ...(await this.keys.get(created.id)), key: created.key };
  }

  @Get()
  @Access(ADMINS)
  @ApiOperation({ summary: 'API keys, newest first (never their value)' })
  @ApiOkResponse({ type: PageOf(ApiKeyResource) })
  list(@Query() query: ApiKeyQuery, @CurrentPrincipal() principal: Principal): Promise<Page<ApiKeyResource>> {
    return this.keys.list(query, principal);
  }

  @Get(':id')
  @Access(ADMINS)
  @OwnedBy('api-key')
  @ApiOperation({ summary: 'One API key or portal token (never its value)' })
  @ApiOkResponse({ type: ApiKeyResource })
  get(@Param('id') id: string): Promise<ApiKeyResource> {
    return this.keys.get(id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Access(ADMINS)
  @OwnedBy('api-key')
  @ApiOperation({ summary: 'Revoke an API key or a portal token: it stops working at once' })
  @ApiNoContentResponse()
  revoke(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.commands.execute(new RevokeApiKeyCommand(id, principal));
  }
}
