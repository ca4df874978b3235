import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, MANAGERS, OwnedBy, PORTAL_READERS } from '../auth/access';
import { ProblemException } from '@hookledger/observability';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { Page, PageOf } from '../http/pagination';
import { CreateReplayDto, ReplayQuery, ReplayResource } from './replay.dto';
import { ReplaysService } from './replays.service';
import { RequestReplayCommand } from './commands';

@ApiTags('replays')
@ApiBearerAuth()
@Controller('v1')
export class ReplaysController {
  constructor(private readonly commands: CommandBus, private readonly replays: ReplaysService) {}

  @Post('endpoints/:id/replay')
  @Access(MANAGERS)
  @OwnedBy('endpoint')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: "Re-deliver the endpoint's deliveries created in [since, until), failed ones by default; follow progress at GET /v1/replays/:id" })
  @ApiAcceptedResponse({ type: ReplayResource })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  @ApiConflictResponse({ description: 'The endpoint is disabled' })
  async create(@Param('id') endpointId: string, @Body() body: CreateReplayDto, @CurrentPrincipal() principal: Principal): Promise<ReplayResource> {
    const since = new Date(body.since);
    const until = body.until === undefined ? null : new Date(body.until);
    // A malformed range is a bad request (400), as the DTO's other checks answer, before any rule is asked.
    if (until && until <= since) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'until must be after since', { errors: [{ field: 'until', message: 'until must be after since' }] });
    }
    const id = await this.commands.execute(new RequestReplayCommand(endpointId, since, until, body.status ?? 'failed', actorOf(principal)));
    return this.replays.get(id);
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
