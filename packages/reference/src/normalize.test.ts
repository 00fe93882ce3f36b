import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import {
  familiarName,
  familiarString,
  parseDockerRef,
  parseNormalizedNamed,
  parseReference,
  withDefaultTag,
} from './normalize.js';
import { referenceString } from './named-reference.js';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseNormalizedNamed: accepted forms', () => {
  it.each([
    // [input, domain, path, tag, digest]
    ['busybox', 'docker.io', 'library/busybox', undefined, undefined],
    ['busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined],
    ['busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
    ['library/busybox', 'docker.io', 'library/busybox', undefined, undefined],
    ['docker.io/busybox', 'docker.io', 'library/busybox', undefined, undefined],
    ['docker.io/library/busybox:v1', 'docker.io', 'library/busybox', 'v1', undefined],
    ['index.docker.io/busybox', 'docker.io', 'library/busybox', undefined, undefined],
    ['index.docker.io/user/app:1', 'docker.io', 'user/app', '1', undefined],
    ['user/app', 'docker.io', 'user/app', undefined, undefined],
    ['user/app:Stable_1.0-rc', 'docker.io', 'user/app', 'Stable_1.0-rc', undefined],
    ['user/nested/deep/app', 'docker.io', 'user/nested/deep/app', undefined, undefined],
    ['library/a/b', 'docker.io', 'library/a/b', undefined, undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/app', 'localhost:5000', 'app', undefined, undefined],
    ['localhost:5000/a/b:v1', 'localhost:5000', 'a/b', 'v1', undefined],
    [`localhost:5000/a/b:v1@${DIGEST}`, 'localhost:5000', 'a/b', 'v1', DIGEST],
    ['registry.example.com/team/app:2', 'registry.example.com', 'team/app', '2', undefined],
    ['my-registry.example.com:443/app', 'my-registry.example.com:443', 'app', undefined, undefined],
    ['127.0.0.1:5000/app', '127.0.0.1:5000', 'app', undefined, undefined],
    ['[::1]:5000/a', '[::1]:5000', 'a', undefined, undefined],
    ['[::1]/a:t', '[::1]', 'a', 't', undefined],
    ['[2001:db8::1]:443/ns/a', '[2001:db8::1]:443', 'ns/a', undefined, undefined],
    ['myhost:5000/app', 'myhost:5000', 'app', undefined, undefined],
    ['Example.COM/app', 'Example.COM', 'app', undefined, undefined],
    ['UPPERHOST/app', 'UPPERHOST', 'app', undefined, undefined],
    ['a.b.c/d', 'a.b.c', 'd', undefined, undefined],
    [`busybox@${DIGEST}`, 'docker.io', 'library/busybox', undefined, DIGEST],
    [`busybox:1.36@${DIGEST}`, 'docker.io', 'library/busybox', '1.36', DIGEST],
    [`user/app@sha512:${'f'.repeat(128)}`, 'docker.io', 'user/app', undefined, `sha512:${'f'.repeat(128)}`],
    // Path separators: one period, one or two underscores, any number of dashes.
    ['a.b_c__d---e', 'docker.io', 'library/a.b_c__d---e', undefined, undefined],
    ['0', 'docker.io', 'library/0', undefined, undefined],
    // A bare host-looking name is still an official image; ":5000" is then its tag.
    ['localhost', 'docker.io', 'library/localhost', undefined, undefined],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined],
    ['example.com', 'docker.io', 'library/example.com', undefined, undefined],
    // 63 hex is not an image ID.
    ['a'.repeat(63), 'docker.io', `library/${'a'.repeat(63)}`, undefined, undefined],
  ])('%s', (input, domain, path, tag, digest) => {
    const ref = parseNormalizedNamed(input);
    expect(ref).toEqual({ domain, path, name: `${domain}/${path}`, tag, digest });
    expect(Object.keys(ref)).toEqual(['domain', 'path', 'name', ...(tag ? ['tag'] : []), ...(digest ? ['digest'] : [])]);
  });

  it('accepts a 128-character tag and a 255-character path', () => {
    expect(parseNormalizedNamed(`busybox:${'t'.repeat(128)}`).tag).toHaveLength(128);
    const path = `a/${'b'.repeat(253)}`;
    expect(parseNormalizedNamed(`example.com/${path}`).path).toBe(path);
  });
});

describe('parseNormalizedNamed: rejected forms', () => {
  it.each([
    ['', 'invalid reference format'],
    [':', 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    ['busybox@', 'invalid reference format'],
    ['busybox@sha256', 'invalid reference format'],
    ['busybox:tag:tag', 'invalid reference format'],
    ['/busybox', 'invalid reference format'],
    ['busybox/', 'invalid reference format'],
    ['user//app', 'invalid reference format'],
    ['example.com//app', 'invalid reference format'],
    ['a..b', 'invalid reference format'],
    ['a/..', 'invalid reference format'],
    ['.a', 'invalid reference format'],
    ['a.', 'invalid reference format'],
    ['a-', 'invalid reference format'],
    ['-a', 'invalid reference format'],
    ['a___b', 'invalid reference format'],
    ['a_.b', 'invalid reference format'],
    ['a b', 'invalid reference format'],
    ['busybox:-tag', 'invalid reference format'],
    ['busybox:.tag', 'invalid reference format'],
    ['busybox:ta/g', 'invalid reference format'],
    [`busybox:${'t'.repeat(129)}`, 'invalid reference format'],
    ['localhost:5000/', 'invalid reference format'],
    ['docker.io/', 'invalid reference format'],
    ['example.com:port/app', 'invalid reference format'],
    ['-host.com/app', 'invalid reference format'],
    ['host-.com/app', 'invalid reference format'],
    ['[::1]:/app', 'invalid reference format'],
    ['[fe80::1%eth0]/app', 'invalid reference format'],
    // The grammar would re-read an invalid host as a path; Docker's split makes it a host, so reject.
    ['my_host.com/app', 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format'],
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['busyBox:Latest', 'invalid reference format: repository name (library/busyBox) must be lowercase'],
    ['user/App', 'invalid reference format: repository name (user/App) must be lowercase'],
    ['example.com/App:v1', 'invalid reference format: repository name (App) must be lowercase'],
    [`Busybox@${DIGEST}`, 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    [`busybox@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`busybox@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
    [`busybox@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`example.com/${'a'.repeat(256)}`, 'repository name must not be more than 255 characters'],
    [HEX, `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`],
  ])('%j', (input, message) => {
    expect(() => parseNormalizedNamed(input)).toThrow(new InvalidArgumentError(message));
    expect(() => parseNormalizedNamed(input)).toThrow(InvalidArgumentError);
  });

  it('allows 64-hex strings that are only part of a name', () => {
    expect(parseNormalizedNamed(`${HEX}:v1`).path).toBe(`library/${HEX}`);
    expect(parseNormalizedNamed(`user/${HEX}`).path).toBe(`user/${HEX}`);
  });

  it('terminates quickly on long hostile inputs', () => {
    const hostile = [
      `${'a-'.repeat(50_000)}!`,
      `${'a.'.repeat(50_000)}/`,
      `${'a'.repeat(100_000)}:${'b'.repeat(100_000)}`,
      `${'a_'.repeat(50_000)}/x/`,
      `example.com/${'a/'.repeat(50_000)}`,
      `[${':'.repeat(100_000)}`,
    ];
    for (const s of hostile) expect(() => parseNormalizedNamed(s)).toThrow(InvalidArgumentError);
  });
});

describe('parseReference (canonical form only)', () => {
  it.each([
    'docker.io/library/busybox',
    'docker.io/library/busybox:latest',
    `docker.io/library/busybox@${DIGEST}`,
    `docker.io/library/busybox:1@${DIGEST}`,
    'docker.io/user/app:v2',
    'localhost:5000/a/b:v1',
    '[::1]:5000/a',
    'registry.example.com/team/app',
  ])('accepts %s unchanged', (input) => {
    expect(referenceString(parseReference(input))).toBe(input);
  });

  it.each(['busybox', 'busybox:latest', 'user/app', 'docker.io/busybox', 'index.docker.io/library/busybox'])(
    'rejects the familiar form %s',
    (input) => {
      expect(() => parseReference(input)).toThrow(new InvalidArgumentError('repository name must be canonical'));
    },
  );

  it('passes through grammar errors', () => {
    expect(() => parseReference('docker.io/library/Busybox')).toThrow(
      'invalid reference format: repository name (library/Busybox) must be lowercase',
    );
    expect(() => parseReference('docker.io/library/busybox:')).toThrow('invalid reference format');
  });
});

describe('defaults', () => {
  it('withDefaultTag adds latest only when there is neither tag nor digest', () => {
    expect(referenceString(withDefaultTag(parseNormalizedNamed('busybox')))).toBe('docker.io/library/busybox:latest');
    expect(referenceString(withDefaultTag(parseNormalizedNamed('busybox:1')))).toBe('docker.io/library/busybox:1');
    expect(referenceString(withDefaultTag(parseNormalizedNamed(`busybox@${DIGEST}`)))).toBe(`docker.io/library/busybox@${DIGEST}`);
  });

  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1', 'docker.io/library/busybox:1'],
    [`busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`],
    [`busybox:1@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
  ])('parseDockerRef(%s) is %s', (input, expected) => {
    expect(referenceString(parseDockerRef(input))).toBe(expected);
  });
});

describe('familiar forms', () => {
  it.each([
    ['busybox', 'busybox', 'busybox'],
    ['busybox:latest', 'busybox', 'busybox:latest'],
    [`busybox@${DIGEST}`, 'busybox', `busybox@${DIGEST}`],
    [`busybox:1@${DIGEST}`, 'busybox', `busybox:1@${DIGEST}`],
    ['docker.io/library/busybox', 'busybox', 'busybox'],
    ['index.docker.io/busybox:1', 'busybox', 'busybox:1'],
    ['user/app:v1', 'user/app', 'user/app:v1'],
    // Nested names under library/ are not official images, so the prefix stays.
    ['library/a/b', 'library/a/b', 'library/a/b'],
    ['localhost/app', 'localhost/app', 'localhost/app'],
    ['localhost:5000/app:v1', 'localhost:5000/app', 'localhost:5000/app:v1'],
    ['[::1]:5000/a', '[::1]:5000/a', '[::1]:5000/a'],
    ['example.com/library/busybox', 'example.com/library/busybox', 'example.com/library/busybox'],
  ])('%s -> %s / %s', (input, name, full) => {
    const ref = parseNormalizedNamed(input);
    expect(familiarName(ref)).toBe(name);
    expect(familiarString(ref)).toBe(full);
  });

  it('round-trips: the familiar string normalises back to the same reference', () => {
    for (const input of ['busybox:1', 'user/app', 'library/a/b', `localhost:5000/a@${DIGEST}`, '[::1]:5000/a:t']) {
      const ref = parseNormalizedNamed(input);
      expect(parseNormalizedNamed(familiarString(ref))).toEqual(ref);
    }
  });
});
