import { describe, expect, it } from 'vitest';
import { listHostDevices } from './host-devices.js';

describe('listHostDevices', () => {
  it('finds the standard character devices with their numbers', () => {
    const devices = listHostDevices();
    expect(devices).toContainEqual(expect.objectContaining({ path: '/dev/null', type: 'c', major: 1, minor: 3 }));
    expect(devices).toContainEqual(expect.objectContaining({ path: '/dev/zero', type: 'c', major: 1, minor: 5 }));
    expect(devices.some((d) => d.path.startsWith('/dev/pts/'))).toBe(false);
    expect(devices.some((d) => d.path === '/dev/console')).toBe(false);
  });
});
