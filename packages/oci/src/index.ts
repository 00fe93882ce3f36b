export * from './image-spec.js';
export * from './runtime-spec.js';
export { buildRuntimeSpec, consoleBox, DEFAULT_PATH_ENV, OCI_VERSION, type SpecInput } from './build-runtime-spec.js';
export {
  CAPABILITY_NAMES,
  DEFAULT_CAPABILITIES,
  capabilitiesFromMask,
  normalizeCapabilities,
  resolveCapabilities,
  type CapabilityRequest,
} from './capabilities.js';
export { defaultDeviceRules, privilegedDeviceRules } from './devices.js';
export { boundingSetFromStatus, readHostBoundingSet } from './host-capabilities.js';
export { listHostDevices } from './host-devices.js';
export { parseProcLimits, readHostRlimits, type HostRlimits, type RlimitPair } from './host-rlimits.js';
export { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, defaultMaskedPaths } from './masked-paths.js';
export { parseMemoryString } from './memory.js';
export { DEFAULT_SHM_SIZE, INIT_PATH, type EtcFiles } from './mounts.js';
export type { NamespaceMode, NamespaceModes, NetworkMode } from './namespaces.js';
export type { ResourceLimits } from './resources.js';
export { DEFAULT_NOFILE_LIMIT, buildRlimits, rlimitType, type Ulimit } from './rlimits.js';
export { defaultSeccompProfile, parseSeccompProfile, resolveSeccompProfile, type SeccompContext } from './seccomp.js';
export { DEFAULT_SECCOMP_PROFILE } from './seccomp-default-profile.js';
export { serializeRuntimeSpec } from './serialize.js';
export { DEFAULT_NETWORK_SYSCTLS, validateSysctls } from './sysctls.js';
export { mergeTmpfsOptions, parseTmpfsOptions } from './tmpfs.js';
export { resolveAdditionalGroups, resolveUser, type ResolvedUser } from './user.js';
export { HOST_ARCHITECTURE, formatPlatform, parsePlatform, platformMatches } from './platform.js';
export { exposedPortKeys, withEnv } from './run-config-values.js';
