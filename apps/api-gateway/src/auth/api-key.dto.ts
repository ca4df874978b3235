import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDateString, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ROUTING_TOKEN } from '@hookledger/domain';
import { PageQuery } from '../http/pagination';
import type { Role } from './principal';

/** Roles a key can be created with; portal tokens come from POST /v1/tenants/:id/portal-token. */
export const KEY_ROLES = ['admin', 'publisher', 'reader', 'auditor'] as const;

export class CreateApiKeyDto {
  @ApiPropertyOptional({ example: 'billing service', maxLength: 200 })
  @IsOptional() @IsString({ message: 'name must be a string' }) @MaxLength(200)
  name?: string;

  @ApiProperty({ enum: KEY_ROLES, description: 'admin: everything; publisher: publish events; reader: read; auditor: read and the audit trail' })
  @IsIn(KEY_ROLES, { message: `role must be one of ${KEY_ROLES.join(', ')}` })
  role!: (typeof KEY_ROLES)[number];

  @ApiPropertyOptional({ description: 'Bind the key to one tenant: it sees and changes nothing of any other. Left out, the key works across tenants (only a key that itself works across tenants can create one).' })
  @IsOptional() @IsString() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100_000, description: 'Requests per second this key may make (default HOOKS_API_RATE_LIMIT_PER_S)' })
  @IsOptional() @IsInt({ message: 'rate_limit_per_s must be an integer' }) @Min(1) @Max(100_000)
  rate_limit_per_s?: number;

  @ApiPropertyOptional({ description: 'ISO-8601; the key stops working then' })
  @IsOptional() @IsDateString({}, { message: 'expires_at must be an ISO-8601 date-time' })
  expires_at?: string;
}

export class ApiKeyQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'true = revoked keys only, false = live ones only' })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'revoked must be true or false' })
  revoked?: boolean;
}

export class ApiKeyResource {
  @ApiProperty({ example: 'key_01J…' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['admin', 'publisher', 'reader', 'auditor', 'portal'] }) role!: Role;
  @ApiProperty({ type: String, nullable: true }) tenant_id!: string | null;
  @ApiProperty({ example: 'hl_Zx81Qa', description: 'The first characters of the key, to recognise it by' }) prefix!: string;
  @ApiProperty({ type: Number, nullable: true }) rate_limit_per_s!: number | null;
  @ApiProperty({ description: 'The key that created this one (api-key:<id>)' }) created_by!: string;
  @ApiProperty() created_at!: string;
  @ApiProperty({ type: String, nullable: true }) expires_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) revoked_at!: string | null;
}

export class CreatedApiKeyResource extends ApiKeyResource {
  @ApiProperty({ description: 'The key itself, shown this once: only its digest is stored', example: 'hl_…' }) key!: string;
}
