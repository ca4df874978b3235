import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { EVENT_TYPE_NAME, PAYLOAD_FORMATS, PayloadFormat, SIGNATURE_PROFILES, SignatureProfile } from '@hookledger/domain';
import { IsHttpUrl } from '../http/is-http-url';

/** One signed test event to a URL that is not (yet) an endpoint. */
export class SendTestWebhookDto {
  @ApiProperty({ example: 'https://example.com/webhooks', maxLength: 2048, description: 'Where to send it; the same rules as an endpoint URL (https, public addresses)' })
  @IsString() @MaxLength(2048)
  @IsHttpUrl('url')
  url!: string;

  @ApiPropertyOptional({
    description: 'The secret to sign with (whsec_ + base64, 16–256 characters), never stored or echoed; when omitted one is generated and returned as secret. '
      + 'Not for standard-ed25519, which always signs with a fresh key pair and returns its public_key',
  })
  @IsOptional() @IsString() @MaxLength(256)
  secret?: string;

  @ApiPropertyOptional({ default: 'webhook.test', maxLength: 128, description: 'The event type the test event carries' })
  @IsOptional() @IsString() @MaxLength(128) @Matches(EVENT_TYPE_NAME, { message: 'event_type must be dot-separated segments of letters, digits, _ or - (e.g. invoice.paid)' })
  event_type?: string;

  @ApiPropertyOptional({ enum: SIGNATURE_PROFILES, default: 'standard', description: 'How the request is signed, as an endpoint with this profile would sign it' })
  @IsOptional() @IsIn(SIGNATURE_PROFILES, { message: `signature_profile must be one of ${SIGNATURE_PROFILES.join(', ')}` })
  signature_profile?: SignatureProfile;

  @ApiPropertyOptional({ enum: PAYLOAD_FORMATS, default: 'envelope', description: 'envelope = {id, type, timestamp, data}; data = the data object alone' })
  @IsOptional() @IsIn(PAYLOAD_FORMATS, { message: `payload_format must be one of ${PAYLOAD_FORMATS.join(', ')}` })
  payload_format?: PayloadFormat;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The test event data; a small example when omitted' })
  @IsOptional() @IsObject({ message: 'data must be a JSON object' })
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1000, maximum: 30000, description: 'Deadline for the whole exchange; HOOKS_DELIVERY_TIMEOUT_MS when omitted' })
  @IsOptional() @IsInt({ message: 'timeout_ms must be a whole number of milliseconds' }) @Min(1000) @Max(30000)
  timeout_ms?: number;
}

/** What the URL answered. Nothing of it is stored. */
export class TestWebhookResult {
  @ApiProperty({ description: 'The receiver answered 2xx (redirects are not followed: a 3xx is a failure)' }) success!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'null when no answer came' }) status_code!: number | null;
  @ApiProperty() response_time_ms!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why the exchange failed (refused address, timeout, connection or TLS error); null when the receiver answered in full' })
  error!: string | null;

  @ApiProperty({ example: 'http_2xx', description: 'Machine-readable outcome, as a delivery attempt records it: http_2xx, http_5xx, redirect_not_followed, timeout, connection_refused, address_blocked…' })
  outcome!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The first 4 KiB of the answer, decoded as UTF-8' }) response_body!: string | null;
  @ApiProperty({ example: 'msg_01JD…', description: 'The webhook-id the request carried' }) webhook_id!: string;
  @ApiPropertyOptional({ description: 'The secret the request was signed with, only when it was generated because none was given' }) secret?: string;
  @ApiPropertyOptional({ description: 'standard-ed25519: the whpk_ public key that verifies the v1a signature of the one-off key pair' }) public_key?: string;
}
