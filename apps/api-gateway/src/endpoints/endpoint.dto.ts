import { ApiProperty, ApiPropertyOptional, PartialType, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min,
  registerDecorator, ValidateIf, ValidateNested,
} from 'class-validator';
import {
  ENDPOINT_TYPES, EndpointType, EVENT_TYPE_PATTERN, MAX_TEMPLATE_LENGTH, PAYLOAD_FORMATS, PayloadFormat, ROUTING_TOKEN, SIGNATURE_PROFILES, SignatureProfile,
} from '@hookledger/domain';
import { IsHttpUrl } from '../http/is-http-url';
import { isReservedHeader, RESERVED_HEADERS } from './custom-headers';

/** An object of string values with at most `maxEntries` keys, each key and value passing the checks. */
function IsStringMap(rules: { maxEntries: number; key: (key: string) => boolean; value: (value: string) => boolean; message: string }) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringMap', target: target.constructor, propertyName,
      validator: {
        validate: (map: unknown) => {
          if (map === null || typeof map !== 'object' || Array.isArray(map)) return false;
          const entries = Object.entries(map as Record<string, unknown>);
          return entries.length <= rules.maxEntries && entries.every(([key, value]) => rules.key(key) && typeof value === 'string' && rules.value(value));
        },
        defaultMessage: () => `${propertyName} must be ${rules.message}`,
      },
    });
}

/**
 * Custom headers: at most 20, RFC 7230 names, string values, none that we or HTTP own. Credential
 * headers pass here and are refused, with 422 pointing to `auth`, by the service.
 */
const IsCustomHeaders = () => IsStringMap({
  maxEntries: 20,
  key: (name) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(name) && !isReservedHeader(name),
  value: (value) => value.length <= 1024 && !/[\r\n]/.test(value),
  message: `an object of at most 20 header names to string values; these are reserved: webhook-*, ${[...RESERVED_HEADERS].join(', ')}`,
});

/** Metadata: your own labels, at most 50 keys of 1–64 characters to strings of at most 500. */
export const IsMetadata = () => IsStringMap({
  maxEntries: 50,
  key: (key) => key.length >= 1 && key.length <= 64,
  value: (value) => value.length <= 500,
  message: 'an object of at most 50 keys (1–64 characters) to strings of at most 500 characters',
});

/** Authentication we present to the receiver. Write-only: answers show the type and user name, never the password or token. */
export class EndpointAuthDto {
  @ApiProperty({ enum: ['basic', 'bearer'] })
  @IsIn(['basic', 'bearer'], { message: 'auth.type must be basic or bearer' })
  type!: 'basic' | 'bearer';

  @ApiPropertyOptional({ description: 'basic only', maxLength: 256 })
  @ValidateIf((auth: EndpointAuthDto) => auth.type === 'basic')
  @IsString({ message: 'auth.username is required for basic auth' }) @Length(1, 256) @Matches(/^[^:\r\n]*$/, { message: 'auth.username must not contain ":" or line breaks' })
  username?: string;

  @ApiPropertyOptional({ description: 'basic only; write-only', maxLength: 1024 })
  @ValidateIf((auth: EndpointAuthDto) => auth.type === 'basic')
  @IsString({ message: 'auth.password is required for basic auth' }) @Length(1, 1024) @Matches(/^[^\r\n]*$/, { message: 'auth.password must not contain line breaks' })
  password?: string;

  @ApiPropertyOptional({ description: 'bearer only; write-only', maxLength: 4096 })
  @ValidateIf((auth: EndpointAuthDto) => auth.type === 'bearer')
  @IsString({ message: 'auth.token is required for bearer auth' }) @Length(1, 4096) @Matches(/^[\x21-\x7e]+$/, { message: 'auth.token must be printable ASCII without spaces' })
  token?: string;
}

export class CreateEndpointDto {
  @ApiPropertyOptional({ enum: ENDPOINT_TYPES, default: 'webhook', description: 'webhook, or a chat provider whose API Hookledger speaks; fixed at creation' })
  @IsOptional() @IsIn(ENDPOINT_TYPES, { message: `type must be one of ${ENDPOINT_TYPES.join(', ')}` })
  type?: EndpointType;

  @ApiPropertyOptional({
    example: 'https://example.com/webhooks', maxLength: 2048,
    description: 'The receiver; for slack and discord their incoming-webhook URL; telegram takes none (required for every other type)',
  })
  @ValidateIf((body: CreateEndpointDto) => body.type !== 'telegram' || body.url !== undefined)
  @IsString({ message: 'url is required' }) @MaxLength(2048)
  @IsHttpUrl('url')
  url!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional() @IsString() @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ type: [String], example: ['invoice.*', 'customer.created'], description: 'Event type names or wildcards; omitted = all' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(130, { each: true })
  @Matches(EVENT_TYPE_PATTERN, { each: true, message: 'each value in event_types must be an event type name, a prefix wildcard like invoice.* or *' })
  event_types?: string[];

  @ApiPropertyOptional({ description: 'Signing secret (whsec_ + base64, 16–256 characters); generated when omitted' })
  @IsOptional() @IsString() @Length(16, 256)
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional() @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { 'x-tenant': 'acme' } })
  @IsOptional() @IsCustomHeaders()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ type: [Number], example: [5, 300, 1800], description: 'Seconds to wait before each retry' })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsInt({ each: true }) @Min(0, { each: true }) @Max(604800, { each: true })
  retry_schedule?: number[];

  @ApiPropertyOptional({ minimum: 1000, maximum: 30000 })
  @IsOptional() @IsInt() @Min(1000) @Max(30000)
  timeout_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000 })
  @IsOptional() @IsInt() @Min(1) @Max(10000)
  rate_limit_per_s?: number;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional() @IsString() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(10) @Matches(ROUTING_TOKEN, { each: true, message: 'each channel must be 1–128 letters, digits, _ . : or -' })
  channels?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', maxLength: 500 }, maxProperties: 50, example: { customer: 'acme', plan: 'pro' } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ type: EndpointAuthDto, nullable: true, description: 'Basic or bearer authentication sent to the receiver; stored encrypted, never shown again' })
  @IsOptional() @IsObject({ message: 'auth must be an object with a type' }) @ValidateNested() @Type(() => EndpointAuthDto)
  auth?: EndpointAuthDto | null;

  @ApiPropertyOptional({
    type: 'object', additionalProperties: true, nullable: true,
    description: 'Conditions on the event data ($eq $neq $gt $gte $lt $lte $in $nin $exists, $and, $or); only matching events are delivered',
    example: { amount: { $gte: 1000 }, currency: { $in: ['usd', 'eur'] } },
  })
  @IsOptional() @IsObject({ message: 'filter must be an object of conditions on data fields' })
  filter?: Record<string, unknown> | null;

  @ApiPropertyOptional({ enum: PAYLOAD_FORMATS, default: 'envelope', description: 'envelope = {id, type, timestamp, data}; data = the data object alone' })
  @IsOptional() @IsIn(PAYLOAD_FORMATS, { message: `payload_format must be one of ${PAYLOAD_FORMATS.join(', ')}` })
  payload_format?: PayloadFormat;

  @ApiPropertyOptional({ enum: SIGNATURE_PROFILES, default: 'standard', description: 'How deliveries are signed, so receivers written for other senders verify them unchanged' })
  @IsOptional() @IsIn(SIGNATURE_PROFILES, { message: `signature_profile must be one of ${SIGNATURE_PROFILES.join(', ')}` })
  signature_profile?: SignatureProfile;

  @ApiPropertyOptional({
    type: 'object', additionalProperties: { type: 'string' }, nullable: true,
    description: 'slack: {channel?, username?, icon_emoji?}; discord: {username?, avatar_url?}; telegram: {bot_token, chat_id} (bot_token write-only, stored encrypted, never shown)',
    example: { channel: '#alerts', username: 'Hookledger', icon_emoji: ':rotating_light:' },
  })
  @IsOptional() @IsObject({ message: 'provider must be an object of the provider\'s options' })
  provider?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    nullable: true, maxLength: MAX_TEMPLATE_LENGTH, example: '{{type}}: {{data.amount}} {{data.currency}}',
    description: 'Chat providers: a Mustache template of the message text ({{id}}, {{type}}, {{timestamp}}, {{data.<field>}}); event values are escaped for the provider',
  })
  @IsOptional() @ValidateIf((_body, value) => value !== null) @IsString({ message: 'template must be a string or null' }) @MaxLength(MAX_TEMPLATE_LENGTH)
  template?: string | null;
}

/** Everything but the secret (rotated, never patched), the tenant and the type (fixed at creation). */
export class UpdateEndpointDto extends PartialType(OmitType(CreateEndpointDto, ['secret', 'tenant_id', 'type'] as const)) {}

/** What answers show of an endpoint's auth. */
export class EndpointAuthView {
  @ApiProperty({ enum: ['basic', 'bearer'] }) type!: 'basic' | 'bearer';
  @ApiPropertyOptional() username?: string;
}

export class EndpointResource {
  @ApiProperty({ example: 'ep_01JD…' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String], nullable: true }) event_types!: string[] | null;
  @ApiProperty() active!: boolean;
  @ApiProperty({ nullable: true }) disabled_reason!: string | null;
  @ApiProperty({ description: 'Paused: new deliveries are stored and held, then sent in order on resume' }) paused!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers!: Record<string, string>;
  @ApiProperty({ type: [Number] }) retry_schedule!: number[];
  @ApiProperty() timeout_ms!: number;
  @ApiProperty({ nullable: true }) rate_limit_per_s!: number | null;
  @ApiProperty({ example: 'default', description: 'The tenant it belongs to' }) tenant_id!: string;
  @ApiProperty({ type: [String], nullable: true }) channels!: string[] | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) metadata!: Record<string, string>;
  @ApiProperty({ type: EndpointAuthView, nullable: true }) auth!: EndpointAuthView | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) filter!: Record<string, unknown> | null;
  @ApiProperty({ enum: PAYLOAD_FORMATS }) payload_format!: PayloadFormat;
  @ApiProperty({ enum: SIGNATURE_PROFILES }) signature_profile!: SignatureProfile;
  @ApiProperty({ enum: ENDPOINT_TYPES }) type!: EndpointType;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, nullable: true, description: 'The chat provider\'s options; never the bot token' })
  provider!: Record<string, string> | null;
  @ApiProperty({ type: String, nullable: true }) template!: string | null;
  @ApiProperty({ description: 'An ad-hoc destination created by publishing an event with destination.url' }) adhoc!: boolean;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

/** The new endpoint with its signing key, shown in full only here, on rotation and by GET …/secret. */
export class CreatedEndpointResource extends EndpointResource {
  @ApiPropertyOptional({ description: 'HMAC profiles (all but standard-ed25519): the signing secret' }) secret?: string;
  @ApiPropertyOptional({ description: 'standard-ed25519: the whpk_ public key receivers verify with; the private key never leaves Hookledger' }) public_key?: string;
}
