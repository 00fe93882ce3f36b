import { mkdir, rmdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharesToWeight, writeCgroupResources } from './cgroup-resources.js';
import { Cgroup, type CgroupController } from './cgroups.js';

const MB = 1024 * 1024;
const cgroup = new Cgroup(`/berth-test-${randomBytes(4).toString('hex')}`);
const controllers: CgroupController[] = cgroup.version === 2 ? ['memory'] : ['memory', 'cpu', 'pids'];

beforeAll(async () => {
  for (const controller of controllers) await mkdir(cgroup.dir(controller), { recursive: true });
});

afterAll(async () => {
  for (const controller of controllers) await rmdir(cgroup.dir(controller)).catch(() => undefined);
});

describe('writeCgroupResources on this host', () => {
  it('raises and lowers memory limits in an order the kernel accepts, and sets CPU and pids', async () => {
    await writeCgroupResources(cgroup, { memory: { limit: 32 * MB, swap: 64 * MB }, cpu: { shares: 512, quota: 50_000, period: 100_000 }, pids: { limit: 20 } });
    await writeCgroupResources(cgroup, { memory: { limit: 128 * MB, swap: 256 * MB }, pids: { limit: 30 } });
    if (cgroup.version === 1) {
      expect(await cgroup.read('memory', 'memory.limit_in_bytes')).toBe(String(128 * MB));
      if (cgroup.exists('memory', 'memory.memsw.limit_in_bytes')) expect(await cgroup.read('memory', 'memory.memsw.limit_in_bytes')).toBe(String(256 * MB));
      expect(await cgroup.read('cpu', 'cpu.cfs_quota_us')).toBe('-1');
      expect(await cgroup.read('pids', 'pids.max')).toBe('30');
    } else {
      expect(await cgroup.read('memory', 'memory.max')).toBe(String(128 * MB));
      expect(await cgroup.read('pids', 'pids.max')).toBe('30');
    }
    await writeCgroupResources(cgroup, { memory: { limit: 16 * MB, swap: 16 * MB } });
    expect(await cgroup.readNumber('memory', cgroup.version === 1 ? 'memory.limit_in_bytes' : 'memory.max')).toBe(16 * MB);
    expect(await cgroup.read('pids', 'pids.max')).toBe('max');
  });

  it('maps shares onto cgroup v2 weights as runc does', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(262_144)).toBe(10_000);
  });
});
