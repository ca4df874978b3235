import { DomainRuleError, foldEvents } from '../domain-event';
import type { ReceiveMessage } from './message-commands';
import { messageDecider } from './message-decider';
import { MessageEvent, MessageReceivedV1, messagePayloadContext, messagePayloadPreserved, messageReceived, plaintextMessageReceived, readMessageEvent } from './message-events';
import { messageRow } from './message-row';
import { evolveMessage, initialMessageState } from './message-state';

// Key order, spacing and number spelling a jsonb value would not keep.
const PAYLOAD = '{"z": 1.0, "a": {"b": 1e2}}';
// What TenantDataKeys.seal gives back is opaque here: the domain only records it.
const SEALED = 'hlp1.dk_1.aXY.dGFn.Y2lwaGVy';
const receive: ReceiveMessage = {
  type: 'ReceiveMessage',
  data: { id: 'msg_1', type: 'invoice.paid', timestamp: '2024-01-01T00:00:00.000Z', payload: PAYLOAD, sealed_payload: SEALED, tenant_id: 'acme', channels: ['eu'] },
};
const { payload: _text, ...sealedData } = receive.data;
const v1: MessageReceivedV1 = {
  type: 'MessageReceived',
  schema_version: 1,
  data: { id: 'msg_0', type: 'invoice.paid', timestamp: '2023-01-01T00:00:00.000Z', data: { a: 1, z: [true] }, tenant_id: null, channels: null },
};

function given(...history: MessageEvent[]) {
  const decide = (command: ReceiveMessage) => () => messageDecider.decide(command, foldEvents(messageDecider, history));
  return {
    when: (command: ReceiveMessage) => ({
      then: (expected: readonly MessageEvent[]) => expect(decide(command)()).toEqual(expected),
      thenRefuses: (kind: DomainRuleError['kind'], message: RegExp) => {
        expect(decide(command)).toThrow(expect.objectContaining({ kind, message: expect.stringMatching(message) }));
      },
    }),
  };
}

describe('receiving a message', () => {
  it('a new message: MessageReceived v3 carries only the sealed payload, never its text', () => {
    const [event] = messageDecider.decide(receive, foldEvents(messageDecider, []));
    expect(event).toEqual({ type: 'MessageReceived', schema_version: 3, data: { ...sealedData, channels: ['eu'] } });
    expect(JSON.stringify(event)).not.toContain('"z"');
  });

  it('a message a source brought: MessageReceived v4 is v3 with the source and the provider\'s delivery id', () => {
    const source = { id: 'src_01JD0000000000000000000000', type: 'github', delivery_id: '72d3162e' };
    const [event] = messageDecider.decide({ ...receive, data: { ...receive.data, source } }, foldEvents(messageDecider, []));
    expect(event).toEqual({ type: 'MessageReceived', schema_version: 4, data: { ...sealedData, source } });
    expect(readMessageEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
    expect(messageRow(event as MessageEvent & { type: 'MessageReceived' }, new Date('2024-01-01T00:00:01Z'))).toEqual(messageRow(messageReceived(sealedData), new Date('2024-01-01T00:00:01Z')));
  });

  it('the same message again: refused as a conflict, whichever version received it first', () => {
    given(messageReceived(sealedData)).when(receive).thenRefuses('conflict', /already received/);
    given(plaintextMessageReceived(receive.data)).when(receive).thenRefuses('conflict', /already received/);
  });

  it('a message received under schema version 1 is received too', () => {
    given(v1).when({ ...receive, data: { ...receive.data, id: 'msg_0' } }).thenRefuses('conflict', /already received/);
  });

  it('a payload that is not a JSON object: refused on data', () => {
    given().when({ ...receive, data: { ...receive.data, payload: '[1]' } }).thenRefuses('invalid', /JSON object/);
    given().when({ ...receive, data: { ...receive.data, payload: '{"a":' } }).thenRefuses('invalid', /JSON object/);
  });
});

describe('plaintextMessageReceived (a v2 event, as ingest appended them before payloads were sealed)', () => {
  it('given only the parsed data, stores the text ingest wrote to messages.data; empty channels as null', () => {
    expect(plaintextMessageReceived({ id: 'msg_1', type: 't', timestamp: new Date(0), data: { b: 1, a: 'é' }, tenant_id: 'default', channels: [] }).data).toEqual({
      id: 'msg_1', type: 't', timestamp: '1970-01-01T00:00:00.000Z', payload: '{"b":1,"a":"é"}', tenant_id: 'default', channels: null,
    });
  });
});

describe('a sealed payload', () => {
  it('belongs to its tenant and message: the context it is sealed for names both', () => {
    expect(messagePayloadContext('acme', 'msg_1')).toBe('message:acme/msg_1');
  });

  it('is read back from the store as version 3', () => {
    expect(readMessageEvent({ type: 'MessageReceived', schema_version: 3, data: sealedData })).toEqual(messageReceived(sealedData));
  });
});

describe('the messages row', () => {
  it('from a v3 event: sealed_data is the sealed payload, data null, received_at the time it was recorded', () => {
    expect(messageRow(messageReceived(sealedData), new Date('2024-01-01T00:00:01Z'))).toEqual({
      tenant_id: 'acme', id: 'msg_1', type: 'invoice.paid', data: null, sealed_data: SEALED, channels: ['eu'],
      timestamp: '2024-01-01T00:00:00.000Z', received_at: '2024-01-01T00:00:01.000Z',
    });
  });

  it('from a v2 event: data is the payload byte for byte, nothing sealed', () => {
    expect(messageRow(plaintextMessageReceived(receive.data), new Date('2024-01-01T00:00:01Z'))).toEqual({
      tenant_id: 'acme', id: 'msg_1', type: 'invoice.paid', data: PAYLOAD, sealed_data: null, channels: ['eu'],
      timestamp: '2024-01-01T00:00:00.000Z', received_at: '2024-01-01T00:00:01.000Z',
    });
  });

  it('from a v1 event: the jsonb value re-serialised, in the default tenant when it named none', () => {
    expect(messageRow(v1, '2023-01-01T00:00:00.000Z')).toMatchObject({ tenant_id: 'default', id: 'msg_0', data: '{"a":1,"z":[true]}' });
  });
});

describe('a payload preserved after a version 1 MessageReceived', () => {
  // What the v1 event's jsonb gave back was {"a":1,"z":[true]}; the row had kept the published text.
  const EXACT = '{"z": [true], "a": 1.0}';
  const preserved = messagePayloadPreserved({ id: 'msg_0', tenant_id: 'default', payload: EXACT, received_at: '2023-01-01T00:00:00.123456Z' });

  it('is read back from the store as stored, beside both MessageReceived versions; an unknown type is null', () => {
    expect(readMessageEvent({ type: 'MessagePayloadPreserved', schema_version: 1, data: JSON.parse(JSON.stringify(preserved.data)) })).toEqual(preserved);
    expect(readMessageEvent({ type: 'MessageReceived', schema_version: 1, data: v1.data })).toEqual(v1);
    expect(readMessageEvent({ type: 'MessageReceived', schema_version: 2, data: receive.data })?.schema_version).toBe(2);
    expect(readMessageEvent({ type: 'MessageRedacted', data: {} })).toBeNull();
  });

  it('makes the message state hold the exact text, the rest as the v1 event gave it', () => {
    expect(foldEvents(messageDecider, [v1, preserved])).toEqual({
      received: true,
      message: { id: 'msg_0', type: 'invoice.paid', timestamp: '2023-01-01T00:00:00.000Z', payload: EXACT, sealed_payload: null, tenant_id: 'default', channels: null },
    });
  });

  it('once migration 069 sealed it, makes the message state hold the sealed text instead', () => {
    const sealed = { type: 'MessagePayloadPreserved', schema_version: 1, data: { id: 'msg_0', tenant_id: 'default', sealed_payload: SEALED, received_at: preserved.data.received_at } } as const;
    expect(foldEvents(messageDecider, [v1, sealed])).toMatchObject({ received: true, message: { payload: null, sealed_payload: SEALED } });
  });

  it('alone, before any MessageReceived, receives nothing', () => {
    expect(evolveMessage(initialMessageState, preserved)).toEqual({ received: false });
  });

  it('the message is still received once: the same message again is refused', () => {
    given(v1, preserved).when({ ...receive, data: { ...receive.data, id: 'msg_0' } }).thenRefuses('conflict', /already received/);
  });
});
