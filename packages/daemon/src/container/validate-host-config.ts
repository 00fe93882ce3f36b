import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type HostConfig } from '@berth/api';
import { buildRuntimeSpec, type LinuxResources } from '@berth/oci';
import { parseRestartPolicy } from '@berth/restartmanager';
import type { ContainerRecord } from './record.js';
import { containerSpecInput } from './runtime-spec.js';

const MIN_MEMORY = 6 * 1024 * 1024;

/** Where the dry-run spec points; nothing is read from these paths. */
const PLACEHOLDER_ETC = { hosts: '/dev/null', hostname: '/dev/null', resolvConf: '/dev/null' };

/**
 * The resource checks dockerd makes before the spec generator (verifyPlatformContainerResources):
 * values the generator would silently treat as "unset".
 */
export function validateResources(hc: HostConfig): void {
  const memory = hc.Memory ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  const cpus = availableParallelism();
  const nanoCpus = hc.NanoCpus ?? 0;
  if (nanoCpus < 0 || nanoCpus > cpus * 1e9) {
    throw new InvalidArgumentError(`Range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
  }
  if ((hc.ShmSize ?? 0) < 0) throw new InvalidArgumentError('SHM size can not be less than 0');
  if ((hc.CpuShares ?? 0) < 0) throw new InvalidArgumentError('shares: invalid argument');
}

/**
 * Validates a new container's host settings as dockerd does at create, with its messages: the restart
 * policy, resources, and everything the runtime spec generator checks (capabilities, ulimits, sysctls,
 * tmpfs, memory and CPU combinations), by generating the spec once without a rootfs. Returns the
 * cgroup resources that spec asks for.
 */
export function validateHostConfig(c: ContainerRecord, initPath?: string): LinuxResources {
  const hc = c.hostConfig;
  const policy = parseRestartPolicy(hc.RestartPolicy);
  if (hc.AutoRemove && policy.name !== 'no') {
    throw new InvalidArgumentError("can't create 'AutoRemove' container with restart policy");
  }
  validateResources(hc);
  const spec = buildRuntimeSpec({
    ...containerSpecInput(c, { rootfs: '/', etc: PLACEHOLDER_ETC, initPath }, { uid: 0, gid: 0 }),
    hostDevices: [],
  });
  return spec.linux?.resources ?? {};
}
