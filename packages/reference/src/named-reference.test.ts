import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import {
  isNamedReference,
  isValidRepositoryPath,
  isValidTag,
  referenceString,
  trimNamed,
  withDigest,
  withTag,
} from './named-reference.js';
import { parseNormalizedNamed } from './normalize.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;

describe('referenceString', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    [`busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`],
    [`busybox:1@${DIGEST}`, `docker.io/library/busybox:1@${DIGEST}`],
    ['localhost:5000/a/b:v1', 'localhost:5000/a/b:v1'],
  ])('%s -> %s', (input, expected) => {
    expect(referenceString(parseNormalizedNamed(input))).toBe(expected);
  });
});

describe('withTag / withDigest / trimNamed', () => {
  const base = parseNormalizedNamed(`user/app:old@${DIGEST}`);

  it('replaces the tag and keeps the digest', () => {
    expect(referenceString(withTag(base, 'new'))).toBe(`docker.io/user/app:new@${DIGEST}`);
  });

  it('replaces the digest and keeps the tag', () => {
    const other = `sha256:${'c'.repeat(64)}`;
    expect(referenceString(withDigest(base, other))).toBe(`docker.io/user/app:old@${other}`);
  });

  it('drops tag and digest', () => {
    expect(trimNamed(base)).toEqual({ domain: 'docker.io', path: 'user/app', name: 'docker.io/user/app' });
  });

  it.each(['', '-x', '.x', 'a/b', 'a:b', 't'.repeat(129)])('rejects tag %j', (tag) => {
    expect(() => withTag(base, tag)).toThrow(new InvalidArgumentError('invalid tag format'));
  });

  it.each(['', 'sha256:abc', `sha256:${'B'.repeat(64)}`, 'b'.repeat(64)])('rejects digest %j', (digest) => {
    expect(() => withDigest(base, digest)).toThrow(new InvalidArgumentError('invalid digest format'));
  });
});

describe('validators', () => {
  it.each([
    ['latest', true],
    ['_', true],
    ['v1.2.3-rc_1', true],
    ['A', true],
    ['t'.repeat(128), true],
    ['t'.repeat(129), false],
    ['', false],
    ['-a', false],
    ['.a', false],
    ['a+b', false],
  ])('isValidTag(%j) = %s', (tag, valid) => {
    expect(isValidTag(tag)).toBe(valid);
  });

  it.each([
    ['library/busybox', true],
    ['a', true],
    ['a/b/c', true],
    ['a__b/c--d', true],
    ['a'.repeat(255), true],
    ['a'.repeat(256), false],
    ['', false],
    ['A', false],
    ['a//b', false],
    ['/a', false],
    ['a/', false],
    ['a/../b', false],
    ['a:b', false],
  ])('isValidRepositoryPath(%j) = %s', (path, valid) => {
    expect(isValidRepositoryPath(path)).toBe(valid);
  });

  it('isNamedReference recognises parsed references and rejects other shapes', () => {
    expect(isNamedReference(parseNormalizedNamed(`busybox:1@${DIGEST}`))).toBe(true);
    expect(isNamedReference({ domain: 'a', path: 'b', name: 'a/b' })).toBe(true);
    expect(isNamedReference({ domain: 'a', path: 'b', name: 'b' })).toBe(false);
    expect(isNamedReference({ domain: 'a', path: 'b', name: 'a/b', tag: 1 })).toBe(false);
    expect(isNamedReference('docker.io/library/busybox')).toBe(false);
    expect(isNamedReference(null)).toBe(false);
  });
});
