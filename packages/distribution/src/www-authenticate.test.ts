import { describe, expect, it } from 'vitest';
import { parseChallenges } from './www-authenticate.js';

describe('parseChallenges', () => {
  it('reads a bearer challenge with quoted parameters', () => {
    expect(parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  it('reads a basic challenge and unquoted values', () => {
    expect(parseChallenges('Basic realm=Registry')).toEqual([{ scheme: 'basic', params: { realm: 'Registry' } }]);
  });

  it('splits several challenges and unescapes quoted pairs', () => {
    expect(parseChallenges('Basic realm="a \\"b\\"", Bearer realm="https://t", error="insufficient_scope"')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://t', error: 'insufficient_scope' } },
    ]);
  });

  it('gives nothing for an empty header', () => {
    expect(parseChallenges('')).toEqual([]);
  });
});
