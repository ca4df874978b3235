import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { SIGNATURE_PROFILES, SignatureProfile } from '@hookledger/domain';

export const DEFAULT_GRACE_PERIOD_S = 86_400;
export const MAX_GRACE_PERIOD_S = 604_800;

export class RotateSecretDto {
  @ApiPropertyOptional({ default: DEFAULT_GRACE_PERIOD_S, minimum: 0, maximum: MAX_GRACE_PERIOD_S, description: 'How long the current key keeps signing next to the new one; 0 retires it now' })
  @IsOptional() @IsInt({ message: 'grace_period_s must be a whole number of seconds' })
  @Min(0, { message: 'grace_period_s must be 0 or more' }) @Max(MAX_GRACE_PERIOD_S, { message: `grace_period_s must be at most ${MAX_GRACE_PERIOD_S} (7 days)` })
  grace_period_s?: number;

  @ApiPropertyOptional({ description: 'The new HMAC secret (whsec_ + base64, 16–256 characters); generated when omitted. Not for standard-ed25519' })
  @IsOptional() @IsString() @Length(16, 256)
  secret?: string;

  @ApiPropertyOptional({ enum: SIGNATURE_PROFILES, description: 'Switch the signature profile with the new key; the way to move between HMAC profiles and standard-ed25519' })
  @IsOptional() @IsIn(SIGNATURE_PROFILES, { message: `signature_profile must be one of ${SIGNATURE_PROFILES.join(', ')}` })
  signature_profile?: SignatureProfile;
}

/** A key still signing during a rotation's grace period. */
export class PreviousKeyResource {
  @ApiPropertyOptional({ description: 'HMAC profiles: the previous secret' }) secret?: string;
  @ApiPropertyOptional({ description: 'standard-ed25519: the previous public key' }) public_key?: string;
  @ApiProperty({ description: 'When it stops signing' }) expires_at!: string;
}

/** The keys an endpoint signs with: `secret` for HMAC profiles, `public_key` (whpk_) for standard-ed25519, whose private key is never shown. */
export class EndpointSecretResource {
  @ApiProperty({ enum: SIGNATURE_PROFILES }) signature_profile!: SignatureProfile;
  @ApiPropertyOptional({ description: 'HMAC profiles: the current secret' }) secret?: string;
  @ApiPropertyOptional({ description: 'standard-ed25519: the current public key (whpk_)' }) public_key?: string;
  @ApiProperty({ type: [PreviousKeyResource], description: 'Older keys still signing, newest first' }) previous!: PreviousKeyResource[];
}
