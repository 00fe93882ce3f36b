import { describe, expect, it } from 'vitest';
import { containerIdOf, containerOwnerOf, hostIdOf, hostOwnerOf, OVERFLOW_ID, procMapText, rootPairOf, sameIdMappings, type IdMappings } from './id-mapping.js';

const twoRanges: IdMappings = {
  uids: [
    { containerID: 0, hostID: 100000, size: 1000 },
    { containerID: 1000, hostID: 300000, size: 64536 },
  ],
  gids: [{ containerID: 0, hostID: 200000, size: 65536 }],
};

describe('id mappings', () => {
  it('maps container ids to host ids across ranges and back', () => {
    expect(hostIdOf(twoRanges.uids, 0)).toBe(100000);
    expect(hostIdOf(twoRanges.uids, 999)).toBe(100999);
    expect(hostIdOf(twoRanges.uids, 1000)).toBe(300000);
    expect(hostIdOf(twoRanges.uids, 65536)).toBeUndefined();
    expect(containerIdOf(twoRanges.uids, 300001)).toBe(1001);
    expect(containerIdOf(twoRanges.uids, 0)).toBeUndefined();
  });

  it("gives the container's root pair and refuses a mapping without root", () => {
    expect(rootPairOf(twoRanges)).toEqual({ uid: 100000, gid: 200000 });
    expect(() => rootPairOf({ uids: [{ containerID: 1, hostID: 5, size: 1 }], gids: [] })).toThrow(RangeError);
  });

  it('shows unmapped host owners as the overflow id, and stores unmapped container owners as root', () => {
    expect(containerOwnerOf(twoRanges, { uid: 100005, gid: 200007 })).toEqual({ uid: 5, gid: 7 });
    expect(containerOwnerOf(twoRanges, { uid: 0, gid: 0 })).toEqual({ uid: OVERFLOW_ID, gid: OVERFLOW_ID });
    expect(hostOwnerOf(twoRanges, { uid: 5, gid: 7 })).toEqual({ uid: 100005, gid: 200007 });
    expect(hostOwnerOf(twoRanges, { uid: 70000, gid: 70000 })).toEqual({ uid: 100000, gid: 200000 });
  });

  it('writes the proc map text', () => {
    expect(procMapText(twoRanges.uids)).toBe('0 100000 1000\n1000 300000 64536\n');
  });

  it('compares mappings by value', () => {
    const copy: IdMappings = JSON.parse(JSON.stringify(twoRanges)) as IdMappings;
    expect(sameIdMappings(twoRanges, copy)).toBe(true);
    expect(sameIdMappings(twoRanges, { ...copy, gids: copy.uids })).toBe(false);
    expect(sameIdMappings(twoRanges, { ...copy, uids: copy.uids.slice(1) })).toBe(false);
  });
});
