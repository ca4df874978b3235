import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class DisableEndpointDto {
  @ApiPropertyOptional({ maxLength: 500, example: 'customer is migrating their receiver', description: "Recorded as disabled_reason; default 'disabled by an operator'" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(500)
  reason?: string;
}
