import { parseIngestCommand } from './ingest-command';

const now = new Date('2026-01-01T00:00:00.000Z');
const base = { v: 1, id: 'src_01JD0000000000000000000000:72d3', type: 'github.push', data: { ref: 'main' }, tenant_id: 'acme' };
const source = { id: 'src_01JD0000000000000000000000', type: 'github', delivery_id: '72d3' };

describe('the source an ingest command names', () => {
  it('is kept, field by field, for the ledger', () => {
    expect(parseIngestCommand({ ...base, source: { ...source, extra: 'dropped' } }, null, now)).toEqual({
      command: { v: 1, id: base.id, type: 'github.push', timestamp: now.toISOString(), data: { ref: 'main' }, tenant_id: 'acme', channels: null, source },
    });
  });

  it('is left out when none is named', () => {
    const parsed = parseIngestCommand(base, null, now);
    expect('command' in parsed && 'source' in parsed.command).toBe(false);
  });

  it('is refused when it is not a source reference a publisher could have made', () => {
    for (const bad of ['src_1', { ...source, id: 'ep_01JD0000000000000000000000' }, { ...source, delivery_id: '' }, { ...source, type: 7 }]) {
      expect(parseIngestCommand({ ...base, source: bad }, null, now)).toEqual({ rejected: expect.stringMatching(/^source/) });
    }
  });
});
