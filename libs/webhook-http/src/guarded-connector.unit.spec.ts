import dns, { LookupAddress } from 'node:dns';
import { AddressBlockedError } from './address-blocked.error';
import { publicOnlyLookup } from './guarded-connector';

function resolvesTo(addresses: LookupAddress[]) {
  return jest.spyOn(dns, 'lookup').mockImplementation(((_name: string, _options: unknown, callback: (e: null, a: LookupAddress[]) => void) =>
    callback(null, addresses)) as unknown as typeof dns.lookup);
}

const lookup = (options: { all?: boolean }) =>
  new Promise<{ error: unknown; result: unknown[] }>((resolve) =>
    publicOnlyLookup()('hooks.example.com', options as { all: true }, (error, ...result) => resolve({ error, result })),
  );

describe('publicOnlyLookup', () => {
  afterEach(() => jest.restoreAllMocks());

  it('hands the socket every checked address when it asks for all of them', async () => {
    const spy = resolvesTo([{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }]);
    expect(await lookup({ all: true })).toEqual({
      error: null,
      result: [[{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }]],
    });
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('hands the socket the first checked address when it asks for one', async () => {
    resolvesTo([{ address: '93.184.216.34', family: 4 }]);
    expect(await lookup({})).toEqual({ error: null, result: ['93.184.216.34', 4] });
  });

  it('refuses a name when any of its addresses is not public (DNS rebinding, split answers)', async () => {
    resolvesTo([{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }]);
    const { error } = await lookup({ all: true });
    expect(error).toBeInstanceOf(AddressBlockedError);
    expect((error as Error).message).toBe('refusing to connect to hooks.example.com: non-public address');
  });

  it('passes DNS failures through', async () => {
    jest.spyOn(dns, 'lookup').mockImplementation(((_n: string, _o: unknown, callback: (e: Error) => void) =>
      callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))) as unknown as typeof dns.lookup);
    expect(await lookup({ all: true })).toMatchObject({ error: { code: 'ENOTFOUND' } });
  });

  it('lets an allow-listed range through, and only that range', async () => {
    const resolve = (addresses: LookupAddress[]) => (_name: string, _options: unknown, callback: (e: null, a: LookupAddress[]) => void) => callback(null, addresses);
    const guard = (addresses: LookupAddress[]) =>
      new Promise<unknown>((done) => publicOnlyLookup({ allowCidrs: ['10.20.0.0/16'], resolve: resolve(addresses) })('hooks.internal', { all: true }, (error) => done(error)));
    expect(await guard([{ address: '10.20.3.4', family: 4 }])).toBeNull();
    expect(await guard([{ address: '10.21.3.4', family: 4 }])).toBeInstanceOf(AddressBlockedError);
  });
});
