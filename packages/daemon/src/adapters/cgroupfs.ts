import type { ContainerCgroups } from '../ports.js';
import { writeCgroupResources } from './cgroup-resources.js';
import { sampleStats } from './cgroup-stats.js';
import { Cgroup } from './cgroups.js';

/** The ContainerCgroups port over the cgroup filesystem (runc's cgroupfs driver paths). */
export function createCgroupfsAdapter(): ContainerCgroups {
  return {
    pids: (id) => Cgroup.ofContainer(id).pids(),
    sample: (id, name, previous) => sampleStats(Cgroup.ofContainer(id), name, id, previous),
    applyResources: (id, resources) => writeCgroupResources(Cgroup.ofContainer(id), resources),
  };
}
