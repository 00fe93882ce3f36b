import { describe, expect, it } from 'vitest';
import { checkImagePlatform } from './platform.js';

const amd64 = { os: 'linux', architecture: 'amd64' };

describe('checkImagePlatform', () => {
  it('accepts the image platform, with architecture aliases', () => {
    expect(() => checkImagePlatform('linux/amd64', 'busybox', amd64)).not.toThrow();
    expect(() => checkImagePlatform('linux/x86_64', 'busybox', amd64)).not.toThrow();
  });

  it('says a mismatching image is not found, as dockerd does', () => {
    expect(() => checkImagePlatform('linux/arm64', 'busybox', amd64)).toThrow(
      'image with reference busybox was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64',
    );
    expect(() => checkImagePlatform('linux/arm/v7', 'x', { os: 'linux', architecture: 'arm', variant: 'v6' })).toThrow('wanted linux/arm/v7');
  });

  it('refuses a malformed platform', () => {
    expect(() => checkImagePlatform('linux//', 'busybox', amd64)).toThrow('error parsing specified platform');
  });
});
