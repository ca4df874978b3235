import { addressRefusal, destinationRefusal } from './destination-address';

describe('addressRefusal', () => {
  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(addressRefusal(address)).toBeNull();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'reserved or documentation'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.7', 'reserved or documentation'],
    ['203.0.113.9', 'reserved or documentation'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'], // ipaddr.js reads the dotted IPv4-compatible form as IPv4-mapped
    ['::7f00:1', 'not a global IPv6 address'],
    ['::a9fe:a9fe', 'not a global IPv6 address'],
    ['64:ff9b::a9fe:a9fe', 'NAT64'],
    ['64:ff9b::8.8.8.8', 'NAT64'],
    ['64:ff9b:1::7f00:1', 'NAT64'],
    ['2002:7f00:1::', '6to4'],
    ['2002:a9fe:a9fe::1', '6to4'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['::ffff:0:7f00:1', 'SIIT'],
    ['2001:db8::1', 'reserved or documentation'],
    ['100::1', 'discard'],
    ['not-an-ip', 'not an IP address'],
  ])('%s is refused as %s', (address, reason) => {
    expect(addressRefusal(address)).toContain(reason);
  });

  it('lets allow-listed ranges through, in either spelling of an IPv4 address', () => {
    expect(addressRefusal('10.20.3.4', ['10.20.0.0/16'])).toBeNull();
    expect(addressRefusal('::ffff:10.20.3.4', ['10.20.0.0/16'])).toBeNull();
    expect(addressRefusal('fd00::5', ['10.20.0.0/16', 'fd00::/8'])).toBeNull();
    expect(addressRefusal('10.21.3.4', ['10.20.0.0/16'])).toContain('private');
    expect(addressRefusal('127.0.0.1', ['fd00::/8'])).toContain('loopback');
  });
});

describe('destinationRefusal', () => {
  it.each([
    ['http://127.0.0.1/', 'a loopback address (127.0.0.1)'],
    ['http://2130706433/', 'a loopback address (127.0.0.1)'],
    ['http://0x7f000001/', 'a loopback address (127.0.0.1)'],
    ['http://0x7f.1/', 'a loopback address (127.0.0.1)'],
    ['http://0177.0.0.1/', 'a loopback address (127.0.0.1)'],
    ['http://017700000001/', 'a loopback address (127.0.0.1)'],
    ['http://127.1/', 'a loopback address (127.0.0.1)'],
    ['http://127.0.1/', 'a loopback address (127.0.0.1)'],
    ['http://127.0.0.1./', 'a loopback address (127.0.0.1)'],
    ['https://user:pw@127.0.0.1:8443/hook?x=1', 'a loopback address (127.0.0.1)'],
    ['http://0/', 'an unspecified address (0.0.0.0)'],
    ['http://0.0.0.0:8080/', 'an unspecified address (0.0.0.0)'],
    ['http://169.254.169.254/latest/meta-data/', 'a link-local address (169.254.169.254)'],
    ['http://2852039166/', 'a link-local address (169.254.169.254)'],
    ['http://0xa9.0xfe.0xa9.0xfe/', 'a link-local address (169.254.169.254)'],
    ['http://10.0.0.1/', 'a private address (10.0.0.1)'],
    ['http://012.1/', 'a private address (10.0.0.1)'],
    ['http://192.168.1.1/', 'a private address (192.168.1.1)'],
    ['http://100.64.0.1/', 'a carrier-grade NAT address (100.64.0.1)'],
    ['http://[::1]/', 'a loopback address (::1)'],
    ['http://[0:0:0:0:0:0:0:1]/', 'a loopback address (::1)'],
    ['http://[::ffff:127.0.0.1]/', 'a loopback address (::ffff:7f00:1)'],
    ['http://[::ffff:7f00:1]/', 'a loopback address (::ffff:7f00:1)'],
    ['http://[0:0:0:0:0:ffff:169.254.169.254]/', 'a link-local address (::ffff:a9fe:a9fe)'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'a NAT64 address (64:ff9b::a9fe:a9fe)'],
    ['http://[64:ff9b::169.254.169.254]/', 'a NAT64 address (64:ff9b::a9fe:a9fe)'],
    ['http://[2002:7f00:1::]/', 'a 6to4 address (2002:7f00:1::)'],
    ['http://[2001:0:4136:e378::1]/', 'a Teredo address (2001:0:4136:e378::1)'],
    ['http://[fd00::1]/', 'a unique-local address (fd00::1)'],
    ['http://[fe80::1]/', 'a link-local address (fe80::1)'],
    ['http://[::127.0.0.1]/', 'not a global IPv6 address (::7f00:1)'],
    ['http://localhost:3000/', 'a loopback name (localhost)'],
    ['http://LOCALHOST./', 'a loopback name (localhost)'],
    ['http://app.localhost/', 'a loopback name (app.localhost)'],
  ])('%s is %s', (url, reason) => {
    expect(destinationRefusal(url)).toBe(reason);
  });

  it.each([
    'https://hooks.example.com/in',
    'https://93.184.216.34/in',
    'https://[2606:4700:4700::1111]/in',
    'https://localhost.example.com/',
    'https://metadata.google.internal/', // a name: checked at connection, against what it resolves to
    'http://[fe80::1%25eth0]/', // not a URL at all (zone ids are refused by the parser); format validation answers
  ])('%s is not refused at creation', (url) => {
    expect(destinationRefusal(url)).toBeNull();
  });

  it('lets the allow-list cover literal addresses and, with loopback allowed, localhost', () => {
    expect(destinationRefusal('http://10.20.3.4/', ['10.20.0.0/16'])).toBeNull();
    expect(destinationRefusal('http://localhost/', ['127.0.0.0/8'])).toBeNull();
    expect(destinationRefusal('http://0x7f.1/', ['10.20.0.0/16'])).toBe('a loopback address (127.0.0.1)');
  });
});
