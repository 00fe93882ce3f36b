import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CGROUP2_SUPER_MAGIC, cgroupVersionOf, detectCgroupVersion } from './cgroup-version.js';

const TMPFS_MAGIC = 0x01021994;

describe('the cgroup version', () => {
  it('is 2 only when /sys/fs/cgroup is the cgroup2 mount (unified mode)', () => {
    expect(cgroupVersionOf(CGROUP2_SUPER_MAGIC)).toBe(2);
  });

  it('is 1 on a hybrid or legacy host, whose /sys/fs/cgroup is a tmpfs, and without the mount', () => {
    expect(cgroupVersionOf(TMPFS_MAGIC)).toBe(1);
    expect(cgroupVersionOf(undefined)).toBe(1);
  });

  it('reads the type of the filesystem at the cgroup root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cgroup-'));
    try {
      expect(detectCgroupVersion(dir)).toBe(1);
      expect(detectCgroupVersion(join(dir, 'missing'))).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
