import { describe, expect, it } from 'vitest';
import { containerResolvConf, embeddedResolvConf } from './resolv-conf.js';

const host = '# generated\nsearch host.lan\nnameserver 10.0.0.53\nnameserver 127.0.0.53\noptions edns0\n';
const none = { nameservers: [], search: [], options: [] };

describe('containerResolvConf', () => {
  it('keeps the host file under host networking without DNS settings', () => {
    expect(containerResolvConf(host, none, true)).toBe(host);
  });

  it('drops loopback nameservers otherwise, falling back to public ones when none is left', () => {
    expect(containerResolvConf(host, none, false)).toBe('# generated\nsearch host.lan\nnameserver 10.0.0.53\noptions edns0\n');
    expect(containerResolvConf('nameserver 127.0.0.1\n', none, false)).toBe(
      'nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n',
    );
  });

  it('replaces each of nameservers, search domains and options that is given, keeping the host ones otherwise', () => {
    expect(containerResolvConf(host, { ...none, nameservers: ['1.2.3.4', '9.9.9.9'] }, false)).toBe(
      'search host.lan\nnameserver 1.2.3.4\nnameserver 9.9.9.9\noptions edns0\n',
    );
    expect(containerResolvConf(host, { ...none, search: ['a.test', 'b.test'], options: ['ndots:2'] }, true)).toBe(
      'search a.test b.test\nnameserver 10.0.0.53\nnameserver 127.0.0.53\noptions ndots:2\n',
    );
  });

  it('writes no search line for a search list of "."', () => {
    expect(containerResolvConf('nameserver 10.0.0.53\n', { ...none, search: ['.'] }, false)).toBe('nameserver 10.0.0.53\n');
  });

  it("points a container on user-defined networks at their embedded DNS servers, with the host's search domains and ndots:0", () => {
    expect(embeddedResolvConf(host, none, ['172.18.0.1'])).toBe('search host.lan\nnameserver 172.18.0.1\noptions edns0 ndots:0\n');
    expect(embeddedResolvConf(host, { ...none, search: ['a.test'], options: ['ndots:3'], nameservers: ['9.9.9.9'] }, ['172.18.0.1', '172.19.0.1'])).toBe(
      'search a.test\nnameserver 172.18.0.1\nnameserver 172.19.0.1\noptions ndots:3\n',
    );
  });
});
