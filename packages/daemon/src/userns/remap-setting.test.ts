import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { idMapOf, nextFreeRange, parseRemapSetting, subordinateRanges } from './remap-setting.js';

describe('parseRemapSetting', () => {
  it('reads default, USER, USER:GROUP and UID:GID', () => {
    expect(parseRemapSetting('default')).toEqual({ user: 'dockremap', group: 'dockremap', isDefault: true });
    expect(parseRemapSetting('alice')).toEqual({ user: 'alice', isDefault: false });
    expect(parseRemapSetting('alice:staff')).toEqual({ user: 'alice', group: 'staff', isDefault: false });
    expect(parseRemapSetting('1000:1000')).toEqual({ user: '1000', group: '1000', isDefault: false });
  });

  it('refuses empty parts and extra colons', () => {
    for (const bad of ['', ':g', 'u:', 'a:b:c']) expect(() => parseRemapSetting(bad)).toThrow(InvalidArgumentError);
  });
});

describe('subordinate ranges', () => {
  const file = 'alice:100000:65536\nbob:165536:65536\n1000:300000:10\nalice:400000:5\nalice:x:1\n';

  it("gives a user's ranges by name or uid, in the file's order", () => {
    expect(subordinateRanges(file, 'alice', 1000)).toEqual([
      { start: 100000, count: 65536 },
      { start: 300000, count: 10 },
      { start: 400000, count: 5 },
    ]);
    expect(subordinateRanges(file, 'carol', 1001)).toEqual([]);
  });

  it('maps the ranges to consecutive container ids from 0', () => {
    expect(idMapOf([{ start: 100000, count: 10 }, { start: 300000, count: 5 }])).toEqual([
      { containerID: 0, hostID: 100000, size: 10 },
      { containerID: 10, hostID: 300000, size: 5 },
    ]);
  });

  it('finds the first free range from 100000 across both files', () => {
    expect(nextFreeRange(['', ''])).toBe(100000);
    expect(nextFreeRange(['a:100000:65536\n', 'b:165536:65536\n'])).toBe(231072);
    expect(nextFreeRange(['a:300000:10\n', ''])).toBe(100000);
    expect(nextFreeRange(['a:150000:10\n', ''])).toBe(150010);
  });
});
