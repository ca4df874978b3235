import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, registerDecorator, ValidationOptions } from 'class-validator';
import { SIGNATURE_PROFILES, SignatureProfile } from '@hookledger/domain';

export const VERIFICATION_REASONS = [
  'header_missing', 'invalid_signature_format', 'invalid_secret', 'invalid_timestamp', 'stale_timestamp', 'timestamp_in_future',
  'wrong_secret', 'body_altered', 'signature_mismatch',
] as const;
export type VerificationReason = (typeof VERIFICATION_REASONS)[number];

const TEN_YEARS_S = 315_360_000;

/** An object of header names to string values, as a receiver got them. */
function IsHeaderMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isHeaderMap', target: target.constructor, propertyName, options,
      validator: {
        validate: (value: unknown) =>
          value !== null && typeof value === 'object' && !Array.isArray(value) &&
          Object.values(value as Record<string, unknown>).every((v) => typeof v === 'string'),
        defaultMessage: () => `${propertyName} must be an object of header names to string values`,
      },
    });
}

export class VerifyWebhookDto {
  @ApiProperty({ description: 'The raw request body, exactly as received (before any JSON parsing)' })
  @IsString({ message: 'payload must be the raw body as a string' })
  payload!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'The request headers as received; names in any case' })
  @IsOptional() @IsHeaderMap()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: "The profile's signature header value (webhook-signature, X-Hub-Signature-256, Stripe-Signature or X-Webhook-Signature); overrides headers" })
  @IsOptional() @IsString() @Length(1, 8192)
  signature?: string;

  @ApiPropertyOptional({ description: 'webhook-id (the message id); overrides headers' })
  @IsOptional() @IsString() @Length(1, 256)
  id?: string;

  @ApiPropertyOptional({ description: 'webhook-timestamp (standard profiles) or X-Webhook-Timestamp (hmac-hex), unix seconds; overrides headers' })
  @IsOptional() @Transform(({ value }) => (typeof value === 'number' ? String(value) : value))
  @IsString({ message: 'timestamp must be unix seconds' }) @Matches(/^\d{1,12}$/, { message: 'timestamp must be unix seconds' })
  timestamp?: string;

  @ApiProperty({ description: 'What the receiver verifies with: whsec_ secret, whpk_ public key (standard-ed25519), or the secret string (github, stripe, hmac-hex). Never stored or echoed' })
  @IsString() @Length(1, 1024)
  secret!: string;

  @ApiPropertyOptional({ enum: SIGNATURE_PROFILES, default: 'standard' })
  @IsOptional() @IsIn(SIGNATURE_PROFILES, { message: `signature_profile must be one of ${SIGNATURE_PROFILES.join(', ')}` })
  signature_profile?: SignatureProfile;

  @ApiPropertyOptional({ default: 300, minimum: 0, maximum: TEN_YEARS_S, description: 'Accepted clock difference, in seconds; raise it to check an old captured request' })
  @IsOptional() @IsInt({ message: 'tolerance_s must be a whole number of seconds' }) @Min(0) @Max(TEN_YEARS_S)
  tolerance_s?: number;
}

export class SignatureMatchResource {
  @ApiProperty({ example: 'v1', description: 'The signature scheme that matched' }) scheme!: string;
  @ApiProperty({ description: '1-based position of the matching signature in the header (several during a rotation)' }) position!: number;
}

export class WebhookVerificationResource {
  @ApiProperty() valid!: boolean;
  @ApiPropertyOptional({ enum: VERIFICATION_REASONS, description: 'Why not, when not valid' }) reason?: VerificationReason;
  @ApiProperty({ description: 'What was checked and what to do about it' }) detail!: string;
  @ApiPropertyOptional({ type: SignatureMatchResource }) matched?: SignatureMatchResource;
  @ApiPropertyOptional({ description: 'The message id the request was matched to, when Hookledger sent it' }) message_id?: string;
}
