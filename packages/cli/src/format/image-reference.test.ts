import { describe, expect, it } from 'vitest';
import { familiarName, splitTag, withDefaultTag } from './image-reference.js';

describe('image references', () => {
  it('splits the tag but not a registry port', () => {
    expect(splitTag('busybox:latest')).toEqual({ repository: 'busybox', tag: 'latest' });
    expect(splitTag('localhost:5000/app')).toEqual({ repository: 'localhost:5000/app', tag: undefined });
    expect(splitTag('localhost:5000/app:v1')).toEqual({ repository: 'localhost:5000/app', tag: 'v1' });
  });

  it('shortens Docker Hub names', () => {
    expect(familiarName('docker.io/library/busybox')).toBe('busybox');
    expect(familiarName('docker.io/me/app')).toBe('me/app');
    expect(familiarName('quay.io/me/app')).toBe('quay.io/me/app');
  });

  it('adds :latest to untagged names only', () => {
    expect(withDefaultTag('busybox')).toBe('busybox:latest');
    expect(withDefaultTag('docker.io/library/busybox:1.36')).toBe('busybox:1.36');
    expect(withDefaultTag('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(withDefaultTag('busybox@sha256:abc')).toBe('busybox@sha256:abc');
  });
});
