import { describe, expect, it } from 'vitest';
import { pathParam, queryString } from './query.js';

describe('queryString', () => {
  it('encodes true as 1 and omits false and unset values', () => {
    expect(queryString({ all: true, size: false, limit: 3, name: undefined, filters: '{"a":["b"]}' })).toBe(
      '?all=1&limit=3&filters=%7B%22a%22%3A%5B%22b%22%5D%7D',
    );
    expect(queryString({ all: false })).toBe('');
    expect(queryString()).toBe('');
  });
});

describe('pathParam', () => {
  it('keeps image reference punctuation and escapes the rest', () => {
    expect(pathParam('localhost:5000/library/busybox:latest')).toBe('localhost:5000/library/busybox:latest');
    expect(pathParam('busybox@sha256:abc')).toBe('busybox@sha256:abc');
    expect(pathParam('a b?c#d')).toBe('a%20b%3Fc%23d');
  });
});
