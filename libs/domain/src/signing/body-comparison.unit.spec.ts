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

  it('says different for other content, and never where: a position would let guesses walk the body', () => {
    expect(compareBody(sent.replace('10.5', '11'), [sent])).toEqual({ kind: 'different' });
    expect(compareBody(sent.slice(0, 20), [sent])).toEqual({ kind: 'different' });
    expect(compareBody('{"tags":["y","x"]}', ['{"tags":["x","y"]}'])).toEqual({ kind: 'different' });
    expect(compareBody('not json', [sent])).toEqual({ kind: 'different' });
  });
});
