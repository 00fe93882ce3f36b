import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { HOST_ARCHITECTURE, formatPlatform, parsePlatform, platformMatches } from './platform.js';

describe('parsePlatform', () => {
  it("normalises as containerd does: Docker's spellings, a bare OS or architecture", () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('Linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm' });
    expect(parsePlatform('linux/armel')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(parsePlatform('amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux')).toEqual({ os: 'linux', architecture: HOST_ARCHITECTURE });
    expect(parsePlatform('x/y')).toEqual({ os: 'x', architecture: 'y' });
  });

  it("refuses malformed specifiers with containerd's messages", () => {
    expect(() => parsePlatform('foo/bar/baz/qux')).toThrow(new InvalidArgumentError('"foo/bar/baz/qux": cannot parse platform specifier: invalid argument'));
    expect(() => parsePlatform('linux/')).toThrow('"" is an invalid component of "linux/": platform specifier component must match "^[A-Za-z0-9_-]+$"');
    expect(() => parsePlatform('nope')).toThrow('"nope": unknown operating system or architecture');
    expect(() => parsePlatform('linux/*')).toThrow('wildcards not yet supported');
  });
});

describe('platformMatches', () => {
  const amd64 = { os: 'linux', architecture: 'amd64' };
  it('takes the same platform, older variants of it and what its CPU also runs', () => {
    expect(platformMatches(parsePlatform('linux/amd64'), amd64)).toBe(true);
    expect(platformMatches(parsePlatform('linux/amd64/v3'), amd64)).toBe(true);
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: '386' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(true);
  });

  it('refuses another OS or architecture, and a newer variant', () => {
    expect(platformMatches(parsePlatform('linux/arm64'), amd64)).toBe(false);
    expect(platformMatches(parsePlatform('windows/amd64'), amd64)).toBe(false);
    expect(platformMatches(parsePlatform('linux/386'), amd64)).toBe(false);
    expect(platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(false);
  });

  it('formats as moby names a platform', () => {
    expect(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' })).toBe('linux/arm/v7');
    expect(formatPlatform(amd64)).toBe('linux/amd64');
  });
});
