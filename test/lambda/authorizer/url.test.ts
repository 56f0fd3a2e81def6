// The loopback rule every key fetch is held to: addresses that reach this machine, in every spelling.
import { isLoopbackAddress, isLoopbackHost } from '../../../lambda/authorizer/url';

describe('isLoopbackAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0', // connects to this host on Linux
    '0.1.2.3', // all of 0.0.0.0/8 ("this network")
    '::1',
    '::',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::FFFF:7F00:0001',
    '::ffff:0.0.0.0', // connects to 127.0.0.1
    '::ffff:0:0', // the same, as the URL parser writes it
    '0:0:0:0:0:ffff:0.0.0.0',
    '0:0:0:0:0:ffff:0:0',
    '::ffff:0.9.9.9',
    '::7f00:1', // IPv4-compatible (deprecated)
    '::127.0.0.1',
    '::1%lo', // a zone id is not part of the address
  ])('counts %s as local', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['192.0.2.1', '10.0.0.1', '128.0.0.1', '1.0.0.0', '::ffff:192.0.2.1', '::ffff:c000:201', '2001:db8::1', '::2:0:0', '64:ff9b::7f00:1', 'fe80::1', 'example.com', '', '127.0.0.256', '::ffff:127.0.0.1.5', '1::2::3'])(
    'counts %j as not local',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );
});

describe('isLoopbackHost', () => {
  it.each(['[::ffff:0:0]', '[::ffff:7f00:1]', '0.0.0.0', '0.1.2.3', 'localhost', 'api.localhost.', '[::]'])('counts the URL host %s as loopback', (host) => {
    expect(isLoopbackHost(new URL(`https://${host}/keys`).hostname)).toBe(true);
  });

  it('counts the host of https://[::ffff:0.0.0.0]/ as loopback', () => {
    expect(isLoopbackHost(new URL('https://[::ffff:0.0.0.0]:8443/keys').hostname)).toBe(true);
  });

  it.each(['login.example.com', '[2001:db8::1]', '192.0.2.1'])('counts the URL host %s as remote', (host) => {
    expect(isLoopbackHost(new URL(`https://${host}/keys`).hostname)).toBe(false);
  });
});
