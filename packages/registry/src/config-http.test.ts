import { describe, expect, it } from 'vitest';
import { parseRegistryConfig } from './config.js';

const parse = (http: string) => parseRegistryConfig(`version: 0.1\nhttp:\n  addr: :5000\n${http}`, 'config.yml');

describe('http.tls', () => {
  it('reads the certificate, the key, the client CAs and the minimum version', () => {
    const { config, warnings } = parse('  tls:\n    certificate: /c.pem\n    key: /k.pem\n    clientcas: [/ca1.pem, /ca2.pem]\n    minimumtls: tls1.3\n');
    expect(config.http.tls).toEqual({ certificate: '/c.pem', key: '/k.pem', clientCAs: ['/ca1.pem', '/ca2.pem'], minVersion: 'TLSv1.3' });
    expect(warnings).toEqual([]);
  });

  it('defaults to TLS 1.2 and no client certificates', () => {
    expect(parse('  tls:\n    certificate: /c.pem\n    key: /k.pem\n').config.http.tls).toEqual({ certificate: '/c.pem', key: '/k.pem', clientCAs: [], minVersion: 'TLSv1.2' });
  });

  it.each([
    ['  tls:\n    key: /k.pem\n', /http.tls.certificate: must be the path of a PEM file/],
    ['  tls:\n    certificate: /c.pem\n', /http.tls.key: must be the path of a PEM file/],
    ['  tls:\n    certificate: /c.pem\n    key: /k.pem\n    clientcas: /ca.pem\n', /http.tls.clientcas: must be a list/],
    ['  tls:\n    certificate: /c.pem\n    key: /k.pem\n    minimumtls: tls1.0\n', /http.tls.minimumtls: must be tls1.2 or tls1.3, got "tls1.0"/],
    ['  tls:\n    certificate: /c.pem\n    key: /k.pem\n    ciphersuites: [TLS_AES_128_GCM_SHA256]\n', /http.tls.ciphersuites: not supported/],
    ['  tls:\n    letsencrypt:\n      email: a@b.c\n', /http.tls.letsencrypt: not supported; obtain the certificate outside the registry/],
    ['  tls: yes\n', /http.tls: must be a mapping/],
  ])('refuses %j naming the key', (http, message) => {
    expect(() => parse(http)).toThrow(message);
  });
});

describe('http.draintimeout', () => {
  it('reads a Go duration in milliseconds, absent when not set', () => {
    expect(parse('  draintimeout: 1m30s\n').config.http.drainTimeoutMs).toBe(90_000);
    expect(parse('  draintimeout: 0\n').config.http.drainTimeoutMs).toBe(0);
    expect(parse('').config.http).toEqual({ port: 5000 });
  });

  it('refuses what is not a duration', () => {
    expect(() => parse('  draintimeout: 30\n')).toThrow(/config.yml: http.draintimeout: must be a duration such as 30s or 1m, got 30/);
    expect(() => parse('  draintimeout: soon\n')).toThrow(/http.draintimeout: must be a duration/);
  });
});

describe('http.debug', () => {
  it('reads the address and, when enabled, the Prometheus path (/metrics by default)', () => {
    expect(parse('  debug:\n    addr: 127.0.0.1:5001\n').config.http.debug).toEqual({ host: '127.0.0.1', port: 5001 });
    expect(parse('  debug:\n    addr: :5001\n    prometheus:\n      enabled: true\n').config.http.debug).toEqual({ port: 5001, prometheusPath: '/metrics' });
    expect(parse('  debug:\n    addr: :5001\n    prometheus:\n      enabled: true\n      path: /prom\n').config.http.debug).toEqual({ port: 5001, prometheusPath: '/prom' });
    expect(parse('  debug:\n    addr: :5001\n    prometheus:\n      enabled: false\n      path: /prom\n').config.http.debug).toEqual({ port: 5001 });
  });

  it('serves no debug server without an address, as Go', () => {
    expect(parse('  debug:\n    prometheus:\n      enabled: true\n').config.http.debug).toBeUndefined();
  });

  it.each([
    ['  debug:\n    addr: 5001\n', /http.debug.addr: must be :port or host:port/],
    ['  debug:\n    addr: :5001\n    prometheus:\n      enabled: yes-please\n', /http.debug.prometheus.enabled: must be true or false/],
    ['  debug:\n    addr: :5001\n    prometheus:\n      enabled: true\n      path: metrics\n', /http.debug.prometheus.path: must be a path starting with \//],
    ['  debug:\n    addr: :5001\n    prometheus:\n      enabled: true\n      path: /debug/health\n', /\/debug\/health is the health endpoint/],
  ])('refuses %j naming the key', (http, message) => {
    expect(() => parse(http)).toThrow(message);
  });
});

describe('http.limits (berth)', () => {
  it('reads the manifest and blob limits in bytes', () => {
    expect(parse('  limits:\n    manifestsize: 1048576\n    blobsize: 10737418240\n').config.http.limits).toEqual({ manifestBytes: 1_048_576, blobBytes: 10_737_418_240 });
    expect(parse('  limits: {}\n').config.http.limits).toEqual({});
  });

  it.each([
    ['  limits:\n    manifestsize: 4MiB\n', /http.limits.manifestsize: must be a number of bytes above 0, got "4MiB"/],
    ['  limits:\n    blobsize: 0\n', /http.limits.blobsize: must be a number of bytes above 0/],
    ['  limits: 5\n', /http.limits: must be a mapping/],
  ])('refuses %j naming the key', (http, message) => {
    expect(() => parse(http)).toThrow(message);
  });
});

describe('http.ratelimit (zot\'s keys)', () => {
  it('reads the overall rate and the rates per method', () => {
    expect(parse('  ratelimit:\n    rate: 10\n    methods:\n      - method: GET\n        rate: 5\n      - method: PUT\n        rate: 0.5\n').config.http.rateLimit).toEqual({ rate: 10, methods: { GET: 5, PUT: 0.5 } });
    expect(parse('  ratelimit:\n    methods:\n      - method: DELETE\n        rate: 1\n').config.http.rateLimit).toEqual({ methods: { DELETE: 1 } });
  });

  it.each([
    ['  ratelimit:\n    rate: 0\n', /http.ratelimit.rate: must be a number of requests a second above 0, got 0/],
    ['  ratelimit:\n    rate: fast\n', /http.ratelimit.rate: must be a number/],
    ['  ratelimit:\n    methods: GET\n', /http.ratelimit.methods: must be a list/],
    ['  ratelimit:\n    methods:\n      - method: get\n        rate: 1\n', /http.ratelimit.methods\[0\].method: must be one of GET, HEAD/],
    ['  ratelimit:\n    methods:\n      - method: GET\n', /http.ratelimit.methods\[0\].rate: must be a number/],
  ])('refuses %j naming the key', (http, message) => {
    expect(() => parse(http)).toThrow(message);
  });
});

describe('http.headers', () => {
  it('reads each header\'s list of values, as Go\'s default config.yml gives them', () => {
    expect(parse('  headers:\n    X-Content-Type-Options: [nosniff]\n    Vary: [Accept, Origin]\n').config.http.headers).toEqual({ 'X-Content-Type-Options': ['nosniff'], Vary: ['Accept', 'Origin'] });
  });

  it.each([
    ['  headers:\n    X-Content-Type-Options: nosniff\n', /http.headers.X-Content-Type-Options: must be a list of values/],
    ['  headers:\n    "Bad Name": [x]\n', /http.headers: "Bad Name" is not a header name/],
    ['  headers: [nosniff]\n', /http.headers: must be a mapping/],
  ])('refuses %j naming the key', (http, message) => {
    expect(() => parse(http)).toThrow(message);
  });
});
