import { TestSystem } from '@hookledger/testing';
import { eventually } from './eventually';

describe('incoming webhook limits', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ env: { HOOKS_SOURCE_MAX_BODY_BYTES: '1024', HOOKS_SOURCE_RATE_LIMIT_PER_S: '2', HOOKS_SOURCE_ADDRESS_RATE_LIMIT_PER_S: '20' } });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('refuses a body over HOOKS_SOURCE_MAX_BODY_BYTES with 413 problem+json', async () => {
    const source = (await system.request('POST', '/v1/sources', { body: { type: 'github', name: 'big' } })).body;
    const answer = await system.request('POST', `/in/${source.id}`, { key: null, rawBody: JSON.stringify({ pad: 'x'.repeat(2000) }) });
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers 429 with Retry-After past the per-source limit, and past the per-address limit', async () => {
    const source = (await system.request('POST', '/v1/sources', { body: { type: 'github', name: 'busy' } })).body;
    const burst = await Promise.all(Array.from({ length: 10 }, () => system.request('POST', `/in/${source.id}`, { key: null, rawBody: '{}' })));
    const limited = burst.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.some((answer) => /for this source/.test(answer.body.detail))).toBe(true);
    // The others were counted and refused for their missing signature, never accepted unsigned.
    expect(burst.every((answer) => answer.status === 429 || answer.status === 401)).toBe(true);

    const probes = await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 60 }, (_, n) => system.request('POST', `/in/src_01JD00000000000000000000${String(n).padStart(2, '0')}`, { key: null, rawBody: '{}' })));
      return answers.some((answer) => answer.status === 429) ? answers : undefined;
    }, 'the address limit to refuse a burst of probes');
    expect(probes.find((answer) => answer.status === 429)!.body.detail).toMatch(/from this address/);
  });
});
