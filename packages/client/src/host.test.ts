import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { DEFAULT_HOST, defaultHost, parseHost } from './host.js';

describe('parseHost', () => {
  it.each([
    ['unix:///run/berth/berth.sock', { socketPath: '/run/berth/berth.sock' }],
    ['unix:///tmp/x/d.sock', { socketPath: '/tmp/x/d.sock' }],
    ['unix://', { socketPath: '/run/berth/berth.sock' }],
    ['tcp://127.0.0.1:2375', { host: '127.0.0.1', port: 2375 }],
    ['tcp://localhost', { host: 'localhost', port: 2375 }],
    ['tcp://[::1]:2376', { host: '::1', port: 2376 }],
    ['http://10.0.0.1:4243', { host: '10.0.0.1', port: 4243 }],
    ['127.0.0.1:9999', { host: '127.0.0.1', port: 9999 }],
  ])('%s', (host, expected) => {
    expect(parseHost(host)).toEqual(expected);
  });

  it("defaults a TCP host to docker's TLS port 2376 over TLS", () => {
    expect(parseHost('tcp://h', { tls: true })).toEqual({ host: 'h', port: 2376 });
    expect(parseHost('tcp://h:1234', { tls: true })).toEqual({ host: 'h', port: 1234 });
  });

  it.each(['ssh://user@host', 'npipe:////./pipe/docker_engine', 'tcp://'])('rejects %s', (host) => {
    expect(() => parseHost(host)).toThrow(InvalidArgumentError);
  });
});

describe('defaultHost', () => {
  it('prefers BERTH_HOST, then DOCKER_HOST, then the default socket', () => {
    expect(defaultHost({ BERTH_HOST: 'unix:///a.sock', DOCKER_HOST: 'unix:///b.sock' })).toBe('unix:///a.sock');
    expect(defaultHost({ DOCKER_HOST: 'unix:///b.sock' })).toBe('unix:///b.sock');
    expect(defaultHost({ BERTH_HOST: '', DOCKER_HOST: '' })).toBe(DEFAULT_HOST);
    expect(defaultHost({})).toBe(DEFAULT_HOST);
  });
});
