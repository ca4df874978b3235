import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EVENT_TYPE_NAME } from '@hookledger/domain';

export class EndpointTestDto {
  @ApiPropertyOptional({ default: 'webhook.test', maxLength: 128, description: 'The event type the test event carries' })
  @IsOptional() @IsString() @MaxLength(128) @Matches(EVENT_TYPE_NAME, { message: 'event_type must be dot-separated segments of letters, digits, _ or - (e.g. invoice.paid)' })
  event_type?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The test event data; a small example when omitted' })
  @IsOptional() @IsObject({ message: 'data must be a JSON object' })
  data?: Record<string, unknown>;
}

/** The first attempt of the test event, as recorded. */
export class EndpointTestResult {
  @ApiProperty({ description: 'The receiver answered 2xx' }) success!: boolean;
  @ApiProperty({ nullable: true, description: 'null when no answer came (timeout, connection error)' }) status_code!: number | null;
  @ApiProperty() response_time_ms!: number;
  @ApiProperty({ nullable: true }) error!: string | null;
  @ApiProperty() event_id!: string;
  @ApiProperty() delivery_id!: string;
  @ApiProperty() attempt_id!: string;
}
