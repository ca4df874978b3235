import { EndpointGate, MAX_WAITING_PER_ENDPOINT } from './endpoint-gate';

/** A piece of work the test finishes when it likes. */
function held(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: async () => { log.push(`start ${name}`); await done; log.push(`end ${name}`); }, finish };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('EndpointGate', () => {
  it('runs up to its cap per endpoint, queues the rest first come first served, and counts them as waiting', async () => {
    const gate = new EndpointGate(2);
    const log: string[] = [];
    const works = ['a', 'b', 'c', 'd'].map((name) => held(log, name));
    const waited: string[] = [];
    const runs = works.map((w, n) => gate.run('ep_1', w.work, { onWait: () => waited.push(['a', 'b', 'c', 'd'][n]) }));
    const other = held(log, 'x');
    const otherRun = gate.run('ep_2', other.work);
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start x']);
    expect(waited).toEqual(['c', 'd']);
    expect(gate.waiting).toBe(2);

    works[1].finish();
    await settle();
    expect(log.slice(3)).toEqual(['end b', 'start c']);
    expect(gate.waiting).toBe(1);
    works[0].finish();
    works[2].finish();
    works[3].finish();
    other.finish();
    await Promise.all([...runs, otherRun]);
    expect(log.filter((line) => line.startsWith('start'))).toEqual(['start a', 'start b', 'start x', 'start c', 'start d']);
    expect(gate.waiting).toBe(0);
  });

  it('refuses past the endpoint\'s queue bound (MAX_WAITING_PER_ENDPOINT by default), and takes a larger bound when given', async () => {
    const gate = new EndpointGate(1);
    const log: string[] = [];
    const first = held(log, 'first');
    const running = gate.run('ep_1', first.work);
    const queued = Array.from({ length: MAX_WAITING_PER_ENDPOINT }, () => gate.run('ep_1', async () => undefined));
    expect(queued.every((run) => run !== null)).toBe(true);
    expect(gate.run('ep_1', async () => undefined)).toBeNull();
    const larger = gate.run('ep_1', async () => 'ran', { maxWaiting: MAX_WAITING_PER_ENDPOINT + 1 });
    expect(larger).not.toBeNull();
    first.finish();
    await Promise.all([running, ...queued]);
    await expect(larger).resolves.toBe('ran');
  });
});
