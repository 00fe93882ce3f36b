import { InvalidArgumentError } from '@berth/api';

/** Linux capability names indexed by their bit number (capability.h). */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Docker's default capability set, in Docker's order (daemon/pkg/oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const ALL = 'ALL';

/** Decodes a capability mask such as /proc/self/status `CapBnd` (hex) into names, skipping unknown bits. */
export function capabilitiesFromMask(hexMask: string): string[] {
  const mask = BigInt(`0x${hexMask.trim()}`);
  return CAPABILITY_NAMES.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}

/**
 * Upper-cases and prefixes with CAP_ as Docker does; keeps the "ALL" keyword. A name the kernel knows
 * but this host cannot grant (not in its bounding set) is refused up front, as runc would fail later.
 */
export function normalizeCapabilities(names: readonly string[], available: readonly string[]): string[] {
  return names.map((raw) => {
    let name = raw.toUpperCase();
    if (name === ALL) return name;
    if (!name.startsWith('CAP_')) name = `CAP_${name}`;
    if (!CAPABILITY_NAMES.includes(name)) {
      throw new InvalidArgumentError(`unknown capability: "${name}"`);
    }
    if (!available.includes(name)) {
      throw new InvalidArgumentError(
        `capability not supported by your kernel or not available in the current environment: "${name}"`,
      );
    }
    return name;
  });
}

export interface CapabilityRequest {
  privileged?: boolean;
  capAdd?: readonly string[];
  capDrop?: readonly string[];
  /** What this host can grant: the engine's bounding set. */
  available: readonly string[];
}

/**
 * The container's capability set, following Docker's TweakCapabilities: privileged and "ALL" mean
 * every capability the host can grant (the engine's bounding set, which on hosts without
 * CAP_SYS_RESOURCE is smaller than the kernel's full list).
 */
export function resolveCapabilities(request: CapabilityRequest): string[] {
  const { available } = request;
  if (request.privileged) return [...available];
  const drops = normalizeCapabilities(request.capDrop ?? [], available);
  const adds = normalizeCapabilities(request.capAdd ?? [], available);
  let caps: string[];
  if (adds.includes(ALL)) {
    caps = available.filter((c) => !drops.includes(c));
  } else if (drops.includes(ALL)) {
    caps = adds;
  } else {
    caps = [...DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c)), ...adds];
  }
  return [...new Set(caps)];
}
