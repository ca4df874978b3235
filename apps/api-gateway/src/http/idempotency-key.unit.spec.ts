import { canonicalJson, idempotencyKeyProblem, requestHash } from './idempotency-key';

describe('idempotencyKeyProblem', () => {
  it('accepts 1–255 printable ASCII characters', () => {
    expect(idempotencyKeyProblem('a')).toBeNull();
    expect(idempotencyKeyProblem('6f1c2c1e-9d4b-4a43-a0b5-0d1a8c0b7e55')).toBeNull();
    expect(idempotencyKeyProblem('order 42 / retry #1 ~ ok')).toBeNull();
    expect(idempotencyKeyProblem('k'.repeat(255))).toBeNull();
  });

  it('refuses an empty key, a longer one, and control or non-ASCII characters', () => {
    for (const key of ['', 'k'.repeat(256), 'tab\there', 'line\nbreak', 'café', 'emoji🙂']) {
      expect(idempotencyKeyProblem(key)).toMatch(/Idempotency-Key must be 1–255 printable ASCII/);
    }
  });
});

describe('requestHash', () => {
  it('is the same for the same request, whatever the order of object keys', () => {
    const a = requestHash('POST', '/v1/endpoints', { url: 'https://x.test', headers: { a: '1', b: '2' }, event_types: ['b', 'a'] });
    const b = requestHash('post', '/v1/endpoints', { event_types: ['b', 'a'], headers: { b: '2', a: '1' }, url: 'https://x.test' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when the method, the path, a value or the order of an array differs', () => {
    const base = requestHash('POST', '/v1/events', { type: 'a.b', data: { n: 1 } });
    expect(requestHash('PUT', '/v1/events', { type: 'a.b', data: { n: 1 } })).not.toBe(base);
    expect(requestHash('POST', '/v1/events/batch', { type: 'a.b', data: { n: 1 } })).not.toBe(base);
    expect(requestHash('POST', '/v1/events', { type: 'a.b', data: { n: 2 } })).not.toBe(base);
    expect(requestHash('POST', '/v1/events', { type: 'a.b', data: { n: '1' } })).not.toBe(base);
    expect(requestHash('POST', '/v1/x', { list: [1, 2] })).not.toBe(requestHash('POST', '/v1/x', { list: [2, 1] }));
  });

  it('treats no body and a null body alike, but not an empty object', () => {
    expect(requestHash('POST', '/v1/x', undefined)).toBe(requestHash('POST', '/v1/x', null));
    expect(requestHash('POST', '/v1/x', undefined)).not.toBe(requestHash('POST', '/v1/x', {}));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members, as JSON.stringify does', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ z: 1, y: 2 }] }, a: undefined, e: null })).toBe('{"b":{"c":[{"y":2,"z":1}],"d":1},"e":null}');
  });
});
