import { EVENT_TYPE_NAME, MESSAGE_ID, ROUTING_TOKEN } from '@hookledger/domain';
import { PublishBatchDto, PublishEventDto, PublishOneEventDto } from './event.dto';

/**
 * The publish routes' bodies checked by hand, once, instead of class-transformer copying every
 * event's data and class-validator walking its decorators (the api-gateway's largest cost per
 * publish). These are strict subsets of what the DTOs accept: a body they pass is one the
 * ValidationPipe would pass unchanged (no unknown keys to strip, nothing to convert), and is taken
 * as parsed. Anything else — a `destination`, a null, one wrong field — goes the DTOs' way, so every
 * refusal keeps the DTOs' problem+json answer and field messages.
 */
const EVENT_KEYS = new Set(['id', 'type', 'data', 'tenant_id', 'channels']);
const MAX_TYPE_LENGTH = 128;
const MAX_CHANNELS = 10;
const MAX_BATCH = 500;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

const isToken = (value: unknown): boolean => typeof value === 'string' && ROUTING_TOKEN.test(value);

function isValidEvent(value: unknown): value is PublishEventDto {
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (!EVENT_KEYS.has(key)) return false;
  const { id, type, data, tenant_id, channels } = value;
  if (id !== undefined && !(typeof id === 'string' && MESSAGE_ID.test(id))) return false;
  if (!(typeof type === 'string' && type.length <= MAX_TYPE_LENGTH && EVENT_TYPE_NAME.test(type))) return false;
  if (!isPlainObject(data)) return false;
  if (tenant_id !== undefined && !isToken(tenant_id)) return false;
  if (channels !== undefined && !(Array.isArray(channels) && channels.length <= MAX_CHANNELS && channels.every(isToken))) return false;
  return true;
}

/** `POST /v1/events` without a destination (one with a destination is checked by the DTO). */
export const isValidPublishOne = (value: unknown): value is PublishOneEventDto => isValidEvent(value);

/** `POST /v1/events/batch`: 1–500 events, nothing else in the body. */
export function isValidPublishBatch(value: unknown): value is PublishBatchDto {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'events') return false;
  const { events } = value;
  return Array.isArray(events) && events.length >= 1 && events.length <= MAX_BATCH && events.every(isValidEvent);
}

/** For the ValidationPipe (http/validation.ts): the publish DTOs and their shortcuts. */
export const PUBLISH_BODY_CHECKS: ReadonlyMap<unknown, (value: unknown) => boolean> = new Map<unknown, (value: unknown) => boolean>([
  [PublishOneEventDto, isValidPublishOne],
  [PublishBatchDto, isValidPublishBatch],
]);
