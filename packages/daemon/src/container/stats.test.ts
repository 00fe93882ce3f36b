import { describe, expect, it } from 'vitest';
import { parseBlkio, systemCpuUsage } from './stats.js';

describe('stats parsing', () => {
  it('sums the host CPU time of /proc/stat in nanoseconds', () => {
    const procStat = 'cpu  100 2 30 1000 5 0 3 0 7 0\ncpu0 50 1 15 500 2 0 1 0 0 0\n';
    expect(systemCpuUsage(procStat)).toBe((100 + 2 + 30 + 1000 + 5 + 0 + 3 + 0) * 1e7);
  });

  it('reads cgroup v1 blkio and v2 io.stat lines', () => {
    expect(parseBlkio('8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n', 1, 'bytes')).toEqual([
      { major: 8, minor: 0, op: 'Read', value: 4096 },
      { major: 8, minor: 0, op: 'Write', value: 512 },
      { major: 8, minor: 0, op: 'Total', value: 4608 },
    ]);
    expect(parseBlkio('259:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n', 2, 'ios')).toEqual([
      { major: 259, minor: 0, op: 'read', value: 3 },
      { major: 259, minor: 0, op: 'write', value: 4 },
    ]);
  });
});
