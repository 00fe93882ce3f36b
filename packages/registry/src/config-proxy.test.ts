import { describe, expect, it } from 'vitest';
import { parseRegistryConfig } from './config.js';

const proxied = (section: string) => parseRegistryConfig(`version: 0.1\nproxy:\n${section}`, 'config.yml');

describe('proxy configuration', () => {
  it('reads the Go keys, with a week as the default ttl', () => {
    expect(proxied('  remoteurl: https://registry.example:5000\n').config.proxy).toEqual({ remoteUrl: 'https://registry.example:5000', ttlMs: 168 * 3_600_000 });
    expect(proxied('  remoteurl: http://127.0.0.1:5001\n  username: u\n  password: p\n  ttl: 30m\n').config.proxy).toEqual({
      remoteUrl: 'http://127.0.0.1:5001',
      username: 'u',
      password: 'p',
      ttlMs: 30 * 60_000,
    });
    expect(proxied('  remoteurl: http://r\n  ttl: 0\n').config.proxy?.ttlMs).toBe(0);
    expect(proxied('  remoteurl: http://r\n  mystery: 1\n').warnings).toEqual(['proxy.mystery: not supported, ignored']);
  });

  it.each([
    ['  username: u\n', /proxy.remoteurl: must be an http/],
    ['  remoteurl: ftp://r\n', /proxy.remoteurl: must be an http/],
    ['  remoteurl: http://r\n  username: u\n', /give both or neither/],
    ['  remoteurl: http://r\n  ttl: 7d\n', /proxy.ttl: not a duration/],
    ['  remoteurl: http://r\n  ttl: 5\n', /proxy.ttl: not a duration/],
  ])('refuses %j naming the key', (section, message) => {
    expect(() => proxied(section)).toThrow(message);
  });
});
