import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiGatewayTimeoutResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, MANAGERS, OwnedBy } from '../auth/access';
import { EndpointTestDto, EndpointTestResult } from './endpoint-test.dto';
import { EndpointTestService } from './endpoint-test.service';

@ApiTags('endpoints')
@ApiBearerAuth()
@Access(MANAGERS)
@OwnedBy('endpoint')
@Controller('v1/endpoints/:id')
export class EndpointTestController {
  constructor(private readonly tests: EndpointTestService) {}

  @Post('test')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Send a signed test event now and answer with its first attempt; the delivery is recorded (and retried) like any other' })
  @ApiOkResponse({ type: EndpointTestResult, description: 'The receiver was tried: success says whether it answered 2xx' })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  @ApiConflictResponse({ description: 'The endpoint is disabled, paused, or its circuit is open' })
  @ApiGatewayTimeoutResponse({ description: 'No attempt was recorded in time; the test event may still be sent' })
  send(@Param('id') id: string, @Body() body: EndpointTestDto): Promise<EndpointTestResult> {
    return this.tests.send(id, body);
  }
}
