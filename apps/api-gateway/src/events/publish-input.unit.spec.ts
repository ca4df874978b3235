import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { loadPackage } from '@nestjs/common/utils/load-package.util';
import { HookledgerValidationPipe } from '../http/validation';
import { PublishBatchDto, PublishOneEventDto } from './event.dto';
import { isValidPublishBatch, isValidPublishOne, PUBLISH_BODY_CHECKS } from './publish-input';

/** The DTOs' own answer (class-transformer and class-validator, as the ValidationPipe runs them). */
let dtoPipe: HookledgerValidationPipe;
let fastPipe: HookledgerValidationPipe;
beforeAll(async () => {
  // Nest loads these lazily with import(), which Jest's CommonJS runtime cannot do: hand them over first.
  await loadPackage('class-validator', 'ValidationPipe', async () => import('class-validator'));
  await loadPackage('class-transformer', 'ValidationPipe', async () => import('class-transformer'));
  dtoPipe = new HookledgerValidationPipe(new Map());
  fastPipe = new HookledgerValidationPipe(PUBLISH_BODY_CHECKS);
});
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype, data: undefined });
const parsed = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const event = { type: 'invoice.paid', data: { invoice_id: 'in_1', amount: 4200, lines: [{ sku: 'a', n: [1, 2] }], note: null } };
const accepted: unknown[] = [
  event,
  { ...event, id: 'evt_2024:0001-a.b' },
  { ...event, tenant_id: 'acme', channels: ['eu', 'billing.v2'] },
  { ...event, channels: [] },
  { type: 'a', data: {} },
  { type: 'x'.repeat(128), data: {} },
  { ...event, id: 'i'.repeat(256), tenant_id: 't'.repeat(128) },
];
const refused: unknown[] = [
  null, [], 'text', 42, {},
  { data: {} },
  { type: 'invoice.paid' },
  { ...event, data: [] },
  { ...event, data: 'x' },
  { ...event, data: null },
  { ...event, type: 'x'.repeat(129) },
  { ...event, type: 'invoice..paid' },
  { ...event, type: 7 },
  { ...event, id: '' },
  { ...event, id: 'has space' },
  { ...event, id: 'i'.repeat(257) },
  { ...event, id: 12 },
  { ...event, tenant_id: 'a/b' },
  { ...event, tenant_id: 't'.repeat(129) },
  { ...event, channels: 'eu' },
  { ...event, channels: ['ok', 'not ok'] },
  { ...event, channels: Array.from({ length: 11 }, (_, i) => `c${i}`) },
  { ...event, channels: [1] },
  { ...event, extra: true },
];

describe('publish bodies checked by hand', () => {
  it.each(accepted.map((value) => [JSON.stringify(value).slice(0, 80), value]))('takes %s as the DTO would, unchanged', async (_, value) => {
    expect(isValidPublishOne(parsed(value))).toBe(true);
    expect(isValidPublishBatch(parsed({ events: [value, value] }))).toBe(true);
    // The DTO accepts it and makes the same of it.
    await expect(dtoPipe.transform(parsed(value), body(PublishOneEventDto))).resolves.toEqual(value);
    await expect(dtoPipe.transform(parsed({ events: [value] }), body(PublishBatchDto))).resolves.toEqual({ events: [value] });
    // The shortcut hands on the parsed body itself.
    const input = parsed(value);
    await expect(fastPipe.transform(input, body(PublishOneEventDto))).resolves.toBe(input);
  });

  it.each(refused.map((value) => [JSON.stringify(value)?.slice(0, 80) ?? String(value), value]))('leaves %s to the DTO, which refuses it', async (_, value) => {
    expect(isValidPublishOne(parsed(value))).toBe(false);
    expect(isValidPublishBatch(parsed({ events: [event, value] }))).toBe(false);
    await expect(dtoPipe.transform(parsed(value), body(PublishOneEventDto))).rejects.toThrow();
    // The same refusal as before, word for word.
    const viaFast = await fastPipe.transform(parsed(value), body(PublishOneEventDto)).catch((error: unknown) => error);
    const viaDto = await dtoPipe.transform(parsed(value), body(PublishOneEventDto)).catch((error: unknown) => error);
    expect(viaFast).toEqual(viaDto);
  });

  it('leaves a destination, and batches of the wrong shape, to the DTOs', async () => {
    expect(isValidPublishOne({ ...event, destination: { url: 'https://example.com/hooks' } })).toBe(false);
    await expect(fastPipe.transform(parsed({ ...event, destination: { url: 'https://example.com/hooks' } }), body(PublishOneEventDto)))
      .resolves.toBeInstanceOf(PublishOneEventDto);
    for (const batch of [{ events: [] }, { events: Array.from({ length: 501 }, () => event) }, { events: event }, { events: [event], extra: 1 }, {}]) {
      expect(isValidPublishBatch(parsed(batch))).toBe(false);
      await expect(dtoPipe.transform(parsed(batch), body(PublishBatchDto))).rejects.toThrow();
    }
    expect(isValidPublishBatch(parsed({ events: Array.from({ length: 500 }, () => event) }))).toBe(true);
  });

  it('is not used for other bodies', async () => {
    class Other { declare type: string; }
    await expect(fastPipe.transform({ type: 'x' }, body(Other))).rejects.toThrow();
  });
});
