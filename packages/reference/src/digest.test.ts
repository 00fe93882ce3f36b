import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { createDigester, digestString, isDigest, parseDigest, sha256Digest } from './digest.js';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ABC_SHA256 = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('parseDigest', () => {
  it.each([
    ['sha256', 64],
    ['sha384', 96],
    ['sha512', 128],
  ])('accepts %s with %i hex characters', (algorithm, length) => {
    const hex = '0123456789abcdef'.repeat(8).slice(0, length);
    expect(parseDigest(`${algorithm}:${hex}`)).toEqual({ algorithm, hex });
    expect(isDigest(`${algorithm}:${hex}`)).toBe(true);
  });

  it.each([
    ['', 'invalid checksum digest format'],
    ['sha256', 'invalid checksum digest format'],
    ['sha256:', 'invalid checksum digest format'],
    [`:${'a'.repeat(64)}`, 'invalid checksum digest format'],
    ['a'.repeat(64), 'invalid checksum digest format'],
    [`sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`sha256:${'g'.repeat(64)}`, 'invalid checksum digest format'],
    [`sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
    [`sha256:${'a'.repeat(65)}`, 'invalid checksum digest length'],
    [`sha512:${'a'.repeat(64)}`, 'invalid checksum digest length'],
    [`SHA256:${'a'.repeat(64)}`, 'invalid checksum digest format'],
    [`md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`sha256+b64:${'a'.repeat(43)}`, 'unsupported digest algorithm'],
    [`constructor:${'a'.repeat(64)}`, 'unsupported digest algorithm'],
    [`sha256 :${'a'.repeat(64)}`, 'invalid checksum digest format'],
  ])('rejects %j: %s', (input, message) => {
    expect(() => parseDigest(input)).toThrow(new InvalidArgumentError(message));
    expect(isDigest(input)).toBe(false);
  });

  it('digestString inverts parseDigest', () => {
    expect(digestString(parseDigest(ABC_SHA256))).toBe(ABC_SHA256);
  });
});

describe('hashing', () => {
  it('sha256Digest hashes buffers and UTF-8 strings', () => {
    expect(sha256Digest('')).toBe(EMPTY_SHA256);
    expect(sha256Digest('abc')).toBe(ABC_SHA256);
    expect(sha256Digest(Buffer.from('abc'))).toBe(ABC_SHA256);
    expect(sha256Digest('é')).toBe(sha256Digest(Buffer.from([0xc3, 0xa9])));
  });

  it('createDigester gives the same digest however the data is chunked', () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog'.repeat(1000));
    const whole = sha256Digest(data);
    for (const size of [1, 7, 4096, data.length]) {
      const digester = createDigester();
      for (let i = 0; i < data.length; i += size) digester.update(data.subarray(i, i + size));
      expect(digester.digest()).toBe(whole);
    }
  });

  it('createDigester of nothing is the empty digest', () => {
    expect(createDigester().digest()).toBe(EMPTY_SHA256);
  });

  it('createDigester supports sha512 and produces a valid digest', () => {
    const digester = createDigester('sha512');
    digester.update(Buffer.from('abc'));
    const result = digester.digest();
    expect(result).toBe(
      'sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(isDigest(result)).toBe(true);
  });
});
