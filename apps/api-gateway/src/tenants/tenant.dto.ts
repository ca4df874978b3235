import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { ACCENT_COLOR, MAX_BRANDING_NAME_LENGTH, MAX_LOGO_URL_LENGTH, MAX_PAYLOAD_RETENTION_DAYS, ROUTING_TOKEN } from '@hookledger/domain';
import { IsHttpUrl } from '../http/is-http-url';
import { IsMetadata } from '../endpoints/endpoint.dto';
import { PageQuery } from '../http/pagination';

/** Limits on what a tenant may use; null (or left out) = no limit. */
export class TenantQuotasDto {
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 1_000_000, description: 'Endpoints the tenant may have at once' })
  @IsOptional() @IsInt({ message: 'quotas.max_endpoints must be an integer' }) @Min(0) @Max(1_000_000)
  max_endpoints?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 1e12, description: 'Events the API accepts for the tenant per calendar month (UTC)' })
  @IsOptional() @IsInt({ message: 'quotas.max_events_per_month must be an integer' }) @Min(0) @Max(1e12)
  max_events_per_month?: number | null;
}

const isSet = (_: object, value: unknown) => value !== null && value !== undefined;

/** The customer portal's look for the tenant; a field left out stays as it is, null clears it. */
export class TenantBrandingDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_BRANDING_NAME_LENGTH, example: 'Acme Webhooks', description: 'Shown as the portal\'s title' })
  @ValidateIf(isSet) @IsString({ message: 'branding.name must be a string' })
  @Length(1, MAX_BRANDING_NAME_LENGTH, { message: `branding.name must be 1–${MAX_BRANDING_NAME_LENGTH} characters` })
  name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_LOGO_URL_LENGTH, example: 'https://cdn.acme.example/logo.svg', description: 'https (http only with HOOKS_ALLOW_HTTP)' })
  @ValidateIf(isSet) @MaxLength(MAX_LOGO_URL_LENGTH, { message: `branding.logo_url must be at most ${MAX_LOGO_URL_LENGTH} characters` }) @IsHttpUrl('branding.logo_url')
  logo_url?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, pattern: '^#[0-9a-fA-F]{6}$', example: '#0a7cff' })
  @ValidateIf(isSet) @IsString({ message: 'branding.accent_color must be a string' }) @Matches(ACCENT_COLOR, { message: 'branding.accent_color must be a colour as #rrggbb' })
  accent_color?: string | null;
}

export class CreateTenantDto {
  @ApiPropertyOptional({ example: 'acme', description: 'Your id for the tenant (letters, digits, _ . : -); generated (ten_…) when left out. Events and endpoints name it as tenant_id.' })
  @IsOptional() @IsString() @Matches(ROUTING_TOKEN, { message: 'id must be 1–128 letters, digits, _ . : or -' })
  id?: string;

  @ApiProperty({ example: 'Acme Corp', maxLength: 200 })
  @IsString({ message: 'name must be a string' }) @Length(1, 200, { message: 'name must be 1–200 characters' })
  name!: string;

  @ApiPropertyOptional({ type: TenantQuotasDto })
  @IsOptional() @ValidateNested() @Type(() => TenantQuotasDto)
  quotas?: TenantQuotasDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({
    type: Number, nullable: true, minimum: 1, maximum: MAX_PAYLOAD_RETENTION_DAYS,
    description: 'Days payloads and response bodies stay readable after the day they were received ended; then the scheduler purges them (events answer data: null, purged_at). null or left out: keep them.',
  })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsInt({ message: 'payload_retention_days must be an integer (days), or null to keep payloads' })
  @Min(1, { message: 'payload_retention_days must be at least 1 (or null to keep payloads)' })
  @Max(MAX_PAYLOAD_RETENTION_DAYS, { message: `payload_retention_days must be at most ${MAX_PAYLOAD_RETENTION_DAYS}` })
  payload_retention_days?: number | null;

  @ApiPropertyOptional({ type: TenantBrandingDto, description: 'How the customer portal presents the tenant (docs/portal.md)' })
  @IsOptional() @IsObject({ message: 'branding must be an object' }) @ValidateNested() @Type(() => TenantBrandingDto)
  branding?: TenantBrandingDto;
}

/** Name, quotas and metadata; the id is fixed. */
export class UpdateTenantDto extends PartialType(OmitType(CreateTenantDto, ['id'] as const)) {}

export class TenantQuery extends PageQuery {}

export class TenantQuotasResource {
  @ApiProperty({ type: Number, nullable: true }) max_endpoints!: number | null;
  @ApiProperty({ type: Number, nullable: true }) max_events_per_month!: number | null;
}

export class TenantUsageResource {
  @ApiProperty({ description: 'Endpoints the tenant has now' }) endpoints!: number;
  @ApiProperty({ example: '2026-11', description: 'The calendar month (UTC) events_this_month counts' }) month!: string;
  @ApiProperty({ description: 'Events the API accepted for the tenant this month' }) events_this_month!: number;
}

export class TenantBrandingResource {
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ type: String, nullable: true }) logo_url!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '#0a7cff' }) accent_color!: string | null;
}

export class TenantResource {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) metadata!: Record<string, string>;
  @ApiProperty({ type: TenantQuotasResource }) quotas!: TenantQuotasResource;
  @ApiProperty({ type: TenantUsageResource }) usage!: TenantUsageResource;
  @ApiProperty({ type: Number, nullable: true, description: 'Days payloads stay readable after their day ended; null = kept' }) payload_retention_days!: number | null;
  @ApiProperty({ type: TenantBrandingResource, description: 'The customer portal\'s look; null fields are unset' }) branding!: TenantBrandingResource;
  @ApiProperty({ type: String, nullable: true, description: 'When its payloads were last erased (POST /v1/tenants/:id/erase); null if never' }) erased_at!: string | null;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

export class CreatePortalTokenDto {
  @ApiPropertyOptional({ minimum: 60, maximum: 86_400, default: 3600, description: 'How long the token works, in seconds' })
  @IsOptional() @IsInt({ message: 'expires_in_s must be an integer' }) @Min(60, { message: 'expires_in_s must be at least 60' }) @Max(86_400, { message: 'expires_in_s must be at most 86400 (one day)' })
  expires_in_s?: number;
}

export class PortalTokenResource {
  @ApiProperty({ description: 'Shown once: send it as "Authorization: Bearer <token>"', example: 'hlp_…' }) token!: string;
  @ApiProperty({ description: 'key_… id of the token, as the actor in the ledger' }) id!: string;
  @ApiProperty() tenant_id!: string;
  @ApiProperty() expires_at!: string;
}

export class EraseTenantDto {
  @ApiPropertyOptional({ maxLength: 500, example: 'GDPR art. 17 request #4711', description: 'Why, for the audit trail (recorded in TenantErased)' })
  @IsOptional() @IsString({ message: 'reason must be a string' }) @MaxLength(500, { message: 'reason must be at most 500 characters' })
  reason?: string;
}

export class TenantErasureResource {
  @ApiProperty() tenant_id!: string;
  @ApiProperty({ description: 'When the keys were destroyed: every payload and response body of the tenant received before then no longer opens' }) erased_at!: string;
  @ApiProperty({ description: 'Data keys destroyed (one per tenant per day with payloads)' }) keys_destroyed!: number;
}
