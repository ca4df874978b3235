import { endpointPaused, readEndpointEvent } from './endpoint-events';

describe('readEndpointEvent', () => {
  it('reads a stored event into the union with the schema_version it was stored with, for evolve to upcast', () => {
    const stored = { type: 'EndpointCreated', schema_version: 1, data: { id: 'ep_1', url: 'https://receiver.example/a' } };
    expect(readEndpointEvent(stored)).toEqual(stored);
    expect(readEndpointEvent({ type: 'EndpointPaused', schema_version: 1, data: { id: 'ep_1' } })).toEqual(endpointPaused({ id: 'ep_1' }));
  });

  it('skips a type it does not know (a newer writer\'s) with null', () => {
    expect(readEndpointEvent({ type: 'EndpointRenamed', schema_version: 1, data: { id: 'ep_1' } })).toBeNull();
  });
});
