import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ROUTING_TOKEN, SOURCE_TYPES, SourceType } from '@hookledger/domain';
import { PageQuery } from '../http/pagination';

export const DEFAULT_SOURCE_GRACE_PERIOD_S = 86_400;
export const MAX_SOURCE_GRACE_PERIOD_S = 604_800;

const SECRET_DESCRIPTION = 'What the provider signs with: GitHub\'s webhook secret, HubSpot\'s app client secret, Stripe\'s endpoint signing secret (whsec_…), '
  + 'a Standard Webhooks secret (whsec_ + base64), an hmac-hex secret. Generated when omitted for github, standard and hmac-hex; HubSpot and Stripe issue their own';

export class CreateSourceDto {
  @ApiProperty({ enum: SOURCE_TYPES, description: 'Whose signature the ingest URL verifies' })
  @IsIn(SOURCE_TYPES, { message: `type must be one of ${SOURCE_TYPES.join(', ')}` })
  type!: SourceType;

  @ApiProperty({ maxLength: 200, example: 'acme/shop pushes' })
  @IsString({ message: 'name must be a string' }) @Length(1, 200, { message: 'name must be 1–200 characters' })
  name!: string;

  @ApiPropertyOptional({ minLength: 8, maxLength: 256, description: SECRET_DESCRIPTION })
  @IsOptional() @IsString({ message: 'secret must be a string' }) @MinLength(8, { message: 'secret must be 8–256 characters' })
  @MaxLength(256, { message: 'secret must be 8–256 characters' }) @Matches(/^[\x21-\x7e]+$/, { message: 'secret must be printable ASCII without spaces' })
  secret?: string;

  @ApiPropertyOptional({ maxLength: 128, description: 'The tenant whose pipeline its events enter (a key bound to a tenant: its own)' })
  @IsOptional() @IsString() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;
}

export class UpdateSourceDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional() @IsString({ message: 'name must be a string' }) @Length(1, 200, { message: 'name must be 1–200 characters' })
  name?: string;
}

export class RotateSourceSecretDto {
  @ApiPropertyOptional({ default: DEFAULT_SOURCE_GRACE_PERIOD_S, minimum: 0, maximum: MAX_SOURCE_GRACE_PERIOD_S, description: 'How long the current secret still verifies next to the new one; 0 retires it now' })
  @IsOptional() @IsInt({ message: 'grace_period_s must be a whole number of seconds' })
  @Min(0, { message: 'grace_period_s must be 0 or more' }) @Max(MAX_SOURCE_GRACE_PERIOD_S, { message: `grace_period_s must be at most ${MAX_SOURCE_GRACE_PERIOD_S} (7 days)` })
  grace_period_s?: number;

  @ApiPropertyOptional({ minLength: 8, maxLength: 256, description: `The new secret. ${SECRET_DESCRIPTION}` })
  @IsOptional() @IsString({ message: 'secret must be a string' }) @MinLength(8, { message: 'secret must be 8–256 characters' })
  @MaxLength(256, { message: 'secret must be 8–256 characters' }) @Matches(/^[\x21-\x7e]+$/, { message: 'secret must be printable ASCII without spaces' })
  secret?: string;
}

export class SourceQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;
}

/** A secret still verifying during a rotation's grace period (its value is never shown again). */
export class PreviousSourceSecretResource {
  @ApiProperty({ description: 'When it stops verifying' }) expires_at!: string;
}

export class SourceResource {
  @ApiProperty({ example: 'src_01JD7Z6X9K2M3N4P5Q6R7S8T9V' }) id!: string;
  @ApiProperty({ enum: SOURCE_TYPES }) type!: SourceType;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'default' }) tenant_id!: string;
  @ApiProperty({ example: 'https://hooks.example.com/in/src_01JD7Z6X9K2M3N4P5Q6R7S8T9V', description: 'Where the provider sends its webhooks: HOOKS_PUBLIC_URL + /in/ + id' })
  ingest_url!: string;
  @ApiProperty({ type: [PreviousSourceSecretResource], description: 'Older secrets still verifying, newest first' }) previous_secrets!: PreviousSourceSecretResource[];
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

/** The answer of create and rotate: the secret is shown here, and never again. */
export class SourceWithSecretResource extends SourceResource {
  @ApiProperty({ description: 'The secret now in force; shown only in this answer' }) secret!: string;
}

export class IngestedEventResource {
  @ApiProperty({ example: 'src_01JD7Z6X9K2M3N4P5Q6R7S8T9V:72d3162e-cc78-11e3-81ab-4c9367dc0958', description: 'The event id: source id and the provider\'s delivery id' }) id!: string;
  @ApiProperty({ example: 'github.push' }) type!: string;
  @ApiProperty({ description: 'true when this delivery was already accepted: it is not delivered again' }) duplicate!: boolean;
}

export class IngestAcceptedResource {
  @ApiProperty() source_id!: string;
  @ApiProperty({ type: [IngestedEventResource] }) events!: IngestedEventResource[];
}
