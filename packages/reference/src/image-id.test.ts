import { describe, expect, it } from 'vitest';
import { isImageIdPrefix, isImageIdentifier, shortId } from './image-id.js';

const ID = '0123456789abcdef'.repeat(4);

describe('shortId', () => {
  it.each([
    [`sha256:${ID}`, '0123456789ab'],
    [ID, '0123456789ab'],
    ['abc', 'abc'],
    ['sha256:abc', 'abc'],
    ['', ''],
  ])('%s -> %s', (id, expected) => {
    expect(shortId(id)).toBe(expected);
  });
});

describe('image ID recognition', () => {
  it.each([
    ['a', true],
    ['0123456789ab', true],
    [ID, true],
    [`sha256:${ID}`, true],
    ['sha256:0123', true],
    [`${ID}0`, false],
    ['', false],
    ['sha256:', false],
    ['ABC', false],
    ['busybox', false],
    ['sha512:abc', false],
  ])('isImageIdPrefix(%j) = %s', (s, expected) => {
    expect(isImageIdPrefix(s)).toBe(expected);
  });

  it.each([
    [ID, true],
    [`sha256:${ID}`, false],
    [ID.slice(1), false],
    [ID.toUpperCase(), false],
  ])('isImageIdentifier(%j) = %s', (s, expected) => {
    expect(isImageIdentifier(s)).toBe(expected);
  });
});
