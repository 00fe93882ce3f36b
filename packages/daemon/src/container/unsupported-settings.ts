import { InvalidArgumentError, type HostConfig } from '@berth/api';

interface Unsupported {
  field: keyof HostConfig;
  /** The `docker run`/`create`/`update` flag that sets the field, if there is one. */
  flag?: string;
  /** Whether a value means "not set"; default: empty, zero or false. */
  isUnset?: (value: unknown) => boolean;
}

/** HostConfig fields this engine cannot apply: each is refused unless left unset, so that none is accepted and ignored. */
const UNSUPPORTED: readonly Unsupported[] = [
  { field: 'CgroupParent', flag: '--cgroup-parent' },
  { field: 'BlkioWeight', flag: '--blkio-weight' },
  { field: 'BlkioWeightDevice', flag: '--blkio-weight-device' },
  { field: 'BlkioDeviceReadBps', flag: '--device-read-bps' },
  { field: 'BlkioDeviceWriteBps', flag: '--device-write-bps' },
  { field: 'BlkioDeviceReadIOps', flag: '--device-read-iops' },
  { field: 'BlkioDeviceWriteIOps', flag: '--device-write-iops' },
  { field: 'CpuRealtimePeriod', flag: '--cpu-rt-period' },
  { field: 'CpuRealtimeRuntime', flag: '--cpu-rt-runtime' },
  { field: 'CpusetCpus', flag: '--cpuset-cpus' },
  { field: 'CpusetMems', flag: '--cpuset-mems' },
  { field: 'Devices', flag: '--device' },
  { field: 'DeviceCgroupRules', flag: '--device-cgroup-rule' },
  { field: 'DeviceRequests', flag: '--gpus' },
  { field: 'KernelMemory', flag: '--kernel-memory' },
  { field: 'KernelMemoryTCP' },
  { field: 'MemoryReservation', flag: '--memory-reservation' },
  // 0 is a swappiness; the docker CLI sends -1 for "not set".
  { field: 'MemorySwappiness', flag: '--memory-swappiness', isUnset: (value) => value === undefined || value === null || value === -1 },
  { field: 'OomKillDisable', flag: '--oom-kill-disable' },
  { field: 'CpuCount', flag: '--cpu-count' },
  { field: 'CpuPercent', flag: '--cpu-percent' },
  { field: 'IOMaximumIOps', flag: '--io-maxiops' },
  { field: 'IOMaximumBandwidth', flag: '--io-maxbandwidth' },
  { field: 'StorageOpt', flag: '--storage-opt' },
  { field: 'Cgroup' },
];

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Refuses, naming its docker flag, the first unsupported setting given a value (create and update requests). */
export function refuseUnsupportedSettings(settings: Partial<HostConfig>): void {
  for (const { field, flag, isUnset = isEmpty } of UNSUPPORTED) {
    if (!isUnset(settings[field])) {
      const name = flag ? `${flag} (HostConfig.${field})` : `HostConfig.${field}`;
      throw new InvalidArgumentError(`berth does not support ${name} yet`);
    }
  }
}
