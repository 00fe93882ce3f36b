import { describe, expect, it } from 'vitest';
import { parseRegistryConfig } from './config.js';

const BASE = 'version: 0.1\n';

describe('auth config', () => {
  it('reads the Go htpasswd keys and berth anonymouspull', () => {
    const { config, warnings } = parseRegistryConfig(`${BASE}auth:\n  htpasswd:\n    realm: basic-realm\n    path: /etc/htpasswd\n    anonymouspull: true\n    extra: 1\n`);
    expect(config.auth).toEqual({ scheme: 'htpasswd', realm: 'basic-realm', path: '/etc/htpasswd', anonymousPull: true });
    expect(warnings).toEqual(['auth.htpasswd.extra: not supported, ignored']);
  });

  it('reads the Go token keys and the issuer berth serves', () => {
    const { config, warnings } = parseRegistryConfig(
      `${BASE}auth:\n  token:\n    realm: http://r/auth/token\n    service: r\n    issuer: berth\n    rootcertbundle: /k.pem\n    htpasswd: /users\n    signingkey: /key.pem\n`,
    );
    expect(config.auth).toEqual({ scheme: 'token', realm: 'http://r/auth/token', service: 'r', issuer: 'berth', rootCertBundle: '/k.pem', anonymousPull: false, issuerHtpasswd: '/users', signingKey: '/key.pem' });
    expect(warnings).toEqual([]);
  });

  it('reads berth access rules', () => {
    const { config } = parseRegistryConfig(`${BASE}auth:\n  htpasswd:\n    realm: r\n    path: p\n    access:\n      - {account: alice, name: 'team/*', actions: [pull, push]}\n`);
    expect(config.auth).toMatchObject({ access: [{ account: 'alice', name: 'team/*', actions: ['pull', 'push'] }] });
  });

  it('takes `none` as no auth', () => {
    expect(parseRegistryConfig(`${BASE}auth:\n  none: {}\n`).config.auth).toBeUndefined();
  });

  it.each([
    ['auth: text', /auth: must be a mapping/],
    ['auth:\n  htpasswd: {realm: r, path: p}\n  token: {}', /exactly one scheme/],
    ['auth:\n  silly: {realm: r, service: s}', /auth.silly: only the htpasswd and token schemes/],
    ['auth:\n  htpasswd: {realm: r}', /auth.htpasswd.path: must be set/],
    ['auth:\n  htpasswd: {realm: r, path: p, anonymouspull: maybe}', /auth.htpasswd.anonymouspull: must be true or false/],
    ['auth:\n  token: {realm: r, service: s, issuer: i}', /auth.token.rootcertbundle: must be set/],
    ['auth:\n  token: {realm: r, service: s, issuer: i, rootcertbundle: c, htpasswd: h}', /auth.token.signingkey: must be set for the token issuer/],
    ['auth:\n  token: {realm: r, service: s, issuer: i, rootcertbundle: c, signingkey: k}', /auth.token.htpasswd: must be set/],
    ['auth:\n  htpasswd: {realm: r, path: p, access: {}}', /auth.htpasswd.access: must be a list/],
    ['auth:\n  htpasswd: {realm: r, path: p, access: [{account: a, name: b, actions: [write]}]}', /auth.htpasswd.access\[0\].actions: must be a list of pull, push, delete, \*/],
    ['auth:\n  htpasswd: {realm: r, path: p, access: [{name: b, actions: [pull]}]}', /auth.htpasswd.access\[0\].account/],
    ['auth:\n  token: {realm: r, service: s, issuer: i, rootcertbundle: c, access: []}', /auth.token.access: only the token issuer/],
  ])('refuses %j naming the key', (text, message) => {
    expect(() => parseRegistryConfig(`${BASE}${text}\n`, 'config.yml')).toThrow(message);
  });
});
