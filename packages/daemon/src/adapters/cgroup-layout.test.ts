import { describe, expect, it } from 'vitest';
import { cgroupLayoutOf } from './cgroup-layout.js';

const line = (id: number, point: string, type: string) => `${id} 23 0:${id} / ${point} rw,relatime - ${type} ${type} rw`;
const V1 = ['memory', 'pids', 'cpu'].map((c, i) => line(32 + i, `/sys/fs/cgroup/${c}`, 'cgroup'));
const ROOT_TMPFS = line(31, '/sys/fs/cgroup', 'tmpfs');

describe('the cgroup layout', () => {
  it('is unified when /sys/fs/cgroup is the cgroup2 mount', () => {
    expect(cgroupLayoutOf([line(1, '/', 'ext4'), line(31, '/sys/fs/cgroup', 'cgroup2')].join('\n'), () => 'memory pids')).toEqual({ mode: 'unified' });
  });

  it('is legacy with v1 controllers only', () => {
    expect(cgroupLayoutOf([ROOT_TMPFS, ...V1].join('\n'), () => '')).toEqual({ mode: 'legacy' });
  });

  it('is hybrid with a cgroup2 mount below the v1 controllers, listing the controllers it holds', () => {
    const mountinfo = [ROOT_TMPFS, ...V1, line(41, '/sys/fs/cgroup/unified', 'cgroup2')].join('\n');
    expect(cgroupLayoutOf(mountinfo, () => 'hugetlb\n')).toEqual({ mode: 'hybrid', unifiedMount: '/sys/fs/cgroup/unified', unifiedControllers: ['hugetlb'] });
    expect(cgroupLayoutOf(mountinfo, () => '')).toEqual({ mode: 'hybrid', unifiedMount: '/sys/fs/cgroup/unified', unifiedControllers: [] });
  });

  it('reads mount points with optional fields and escaped spaces', () => {
    const mountinfo = `${ROOT_TMPFS}\n41 31 0:38 / /sys/fs/cgroup/uni\\040fied rw,relatime shared:9 master:2 - cgroup2 cgroup2 rw`;
    expect(cgroupLayoutOf(mountinfo, () => '')).toMatchObject({ mode: 'hybrid', unifiedMount: '/sys/fs/cgroup/uni fied' });
  });
});
