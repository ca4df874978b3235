import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, MANAGERS, OwnedBy, PORTAL_READERS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { Page, PageOf } from '../http/pagination';
import { CreateReplayDto, ReplayQuery, ReplayResource } from './replay.dto';
import { ReplaysService } from './replays.service';

@ApiTags('replays')
@ApiBearerAuth()
@Controller('v1')
export class ReplaysController {
  constructor(private readonly replays: ReplaysService) {}

  @Post('endpoints/:id/replay')
  @Access(MANAGERS)
  @OwnedBy('endpoint')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: "Re-deliver the endpoint's deliveries created in [since, until), failed ones by default; follow progress at GET /v1/replays/:id" })
  @ApiAcceptedResponse({ type: ReplayResource })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  @ApiConflictResponse({ description: 'The endpoint is disabled' })
  create(@Param('id') endpointId: string, @Body() body: CreateReplayDto, @CurrentPrincipal() principal: Principal): Promise<ReplayResource> {
    return this.replays.create(endpointId, body, principal);
  }

  @Get('replays')
  @Access(PORTAL_READERS)
  @ApiOperation({ summary: 'Replays, newest first, filtered by endpoint and state' })
  @ApiOkResponse({ type: PageOf(ReplayResource) })
  list(@Query() query: ReplayQuery, @CurrentPrincipal() principal: Principal): Promise<Page<ReplayResource>> {
    return this.replays.list(query, principal);
  }

  @Get('replays/:id')
  @Access(PORTAL_READERS)
  @OwnedBy('replay')
  @ApiOkResponse({ type: ReplayResource })
  @ApiNotFoundResponse({ description: 'No such replay' })
  get(@Param('id') id: string): Promise<ReplayResource> {
    return this.replays.get(id);
  }
}
