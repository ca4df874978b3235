import { compareBody } from './body-comparison';

const sent = '{"id":"msg_1","type":"a.b","data":{"name":"José","amount":10.5,"tags":["x","y"]}}';

describe('compareBody', () => {
  it('says identical for the exact bytes of any rendering we sent', () => {
    expect(compareBody(sent, ['{"name":"José"}', sent])).toEqual({ kind: 'identical' });
  });

  it.each([
    ['pretty-printed', JSON.stringify(JSON.parse(sent), null, 2)],
    ['keys reordered', '{"type":"a.b","id":"msg_1","data":{"tags":["x","y"],"amount":10.5,"name":"José"}}'],
    ['unicode escaped', sent.replace('é', '\\u00e9')],
  ])('says reserialised for the same JSON %s', (_, received) => {
    expect(compareBody(received, [sent])).toEqual({ kind: 'reserialised' });
  });

  it('says different, and where, for other content', () => {
    expect(compareBody(sent.replace('10.5', '11'), [sent])).toEqual({ kind: 'different', at: sent.indexOf('10.5') + 1 });
    expect(compareBody('{"tags":["y","x"]}', ['{"tags":["x","y"]}'])).toMatchObject({ kind: 'different' });
    expect(compareBody('not json', [sent])).toEqual({ kind: 'different', at: 0 });
  });
});
