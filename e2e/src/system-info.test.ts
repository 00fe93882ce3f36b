import { statfs } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

/** cgroup2's filesystem magic (linux/magic.h). */
const CGROUP2_SUPER_MAGIC = 0x63677270;

describe('docker info', () => {
  it("reports the host's cgroup version as moby does: 2 only when /sys/fs/cgroup is the cgroup2 mount", async () => {
    // A hybrid host (v1 controllers, cgroup2 at /sys/fs/cgroup/unified) is version 1, as in dockerd.
    const unified = (await statfs('/sys/fs/cgroup')).type === CGROUP2_SUPER_MAGIC;
    const info = await d.dockerCli(['info', '--format', '{{.CgroupVersion}} {{.CgroupDriver}}']);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout.trim()).toBe(`${unified ? '2' : '1'} cgroupfs`);
  });
});
