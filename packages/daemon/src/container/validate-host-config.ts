import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type HostConfig } from '@berth/api';
import { buildRuntimeSpec, type LinuxResources } from '@berth/oci';
import { parseRestartPolicy } from '@berth/restartmanager';
import type { ContainerRecord } from './record.js';
import { containerSpecInput } from './runtime-spec.js';
import type { HostSecurityModules } from '../ports.js';

const MIN_MEMORY = 6 * 1024 * 1024;
/** Dot-separated labels of letters, digits and inner hyphens. */
const DOMAIN = /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

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

/** The CLI's checks of `--dns` and `--dns-search` (opts.ValidateIPAddress, ValidateDNSSearch), made again for API clients. */
function validateDns(hc: HostConfig): void {
  for (const address of hc.Dns ?? []) {
    if (isIP(address) === 0) throw new InvalidArgumentError(`IP address is not correctly formatted: ${address}`);
  }
  for (const domain of hc.DnsSearch ?? []) {
    if (domain !== '.' && (domain.length > 255 || !DOMAIN.test(domain))) throw new InvalidArgumentError(`${domain} is not a valid domain`);
  }
  for (const option of hc.DnsOptions ?? []) {
    if (option === '' || /\s/.test(option)) throw new InvalidArgumentError(`invalid DNS option: ${JSON.stringify(option)}`);
  }
}

/** moby's checks of the OOM score and isolation, and the one volume driver this engine has. */
function validateEngineSettings(hc: HostConfig): void {
  const oomScoreAdj = hc.OomScoreAdj ?? 0;
  if (oomScoreAdj < -1000 || oomScoreAdj > 1000) {
    throw new InvalidArgumentError(`Invalid value ${oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  }
  if (hc.Isolation && hc.Isolation !== 'default') {
    throw new InvalidArgumentError(`Invalid isolation: ${JSON.stringify(hc.Isolation)} - linux only supports 'default'`);
  }
  if (hc.VolumeDriver && hc.VolumeDriver !== 'local') {
    throw new InvalidArgumentError(`berth does not support --volume-driver ${hc.VolumeDriver} yet (only local)`);
  }
}

/** The engine runs every container with its one configured runtime (`--runtime`): another name is unknown. */
export function checkRuntimeName(hc: HostConfig, runtime: string): void {
  if (hc.Runtime && hc.Runtime !== runtime) throw new InvalidArgumentError(`Unknown runtime specified ${hc.Runtime}`);
}

/**
 * Validates a new container's host settings as dockerd does at create, with its messages: the restart
 * policy, resources, runtime and DNS settings, and everything the runtime spec generator checks
 * (capabilities, ulimits, sysctls, tmpfs, memory and CPU combinations, namespace modes), by generating
 * the spec once without a rootfs. Returns the cgroup resources that spec asks for.
 */
export function validateHostConfig(c: ContainerRecord, host: { securityModules: HostSecurityModules; initPath?: string }): LinuxResources {
  const hc = c.hostConfig;
  const policy = parseRestartPolicy(hc.RestartPolicy);
  if (hc.AutoRemove && policy.name !== 'no') {
    throw new InvalidArgumentError("can't create 'AutoRemove' container with restart policy");
  }
  validateResources(hc);
  validateEngineSettings(hc);
  validateDns(hc);
  const spec = buildRuntimeSpec({
    ...containerSpecInput(c, { rootfs: '/', etc: PLACEHOLDER_ETC, initPath: host.initPath, securityModules: host.securityModules }, { uid: 0, gid: 0 }),
    hostDevices: [],
  });
  return spec.linux?.resources ?? {};
}
