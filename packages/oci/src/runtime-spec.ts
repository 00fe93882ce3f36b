import type { SeccompAction, SeccompOperator } from '@berth/api';

/**
 * OCI runtime-spec (config.json) shapes, limited to the fields the engine writes.
 * Field names follow the spec's JSON exactly so a spec serialises without mapping.
 */

export interface RuntimeSpec {
  ociVersion: string;
  process: RuntimeProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  domainname?: string;
  mounts: RuntimeMount[];
  linux: LinuxConfig;
  annotations?: Record<string, string>;
}

export interface RuntimeProcess {
  terminal?: boolean;
  /** The terminal's size when the runtime creates it. */
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: LinuxCapabilities;
  rlimits?: PosixRlimit[];
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  apparmorProfile?: string;
}

export interface LinuxCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** `hard`/`soft` may be `Infinity` for RLIM_INFINITY; write the spec with `serializeRuntimeSpec`. */
export interface PosixRlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface RuntimeMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface LinuxNamespace {
  type: NamespaceType;
  path?: string;
}

export interface LinuxDevice {
  path: string;
  type: 'c' | 'b' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface LinuxDeviceCgroup {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access?: string;
}

export interface LinuxMemory {
  limit?: number;
  reservation?: number;
  swap?: number;
  swappiness?: number;
}

export interface LinuxCpu {
  shares?: number;
  quota?: number;
  period?: number;
  cpus?: string;
  mems?: string;
}

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCpu;
  pids?: { limit: number };
}

// The action and operator names are those of Docker's profile format, which the runtime spec shares.
export type { SeccompAction, SeccompOperator };

export interface LinuxSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

export interface LinuxSyscall {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

export interface LinuxSeccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls?: LinuxSyscall[];
}

/** One line of a user namespace's uid or gid map. */
export interface LinuxIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface LinuxConfig {
  namespaces: LinuxNamespace[];
  uidMappings?: LinuxIdMapping[];
  gidMappings?: LinuxIdMapping[];
  devices?: LinuxDevice[];
  cgroupsPath?: string;
  resources?: LinuxResources;
  sysctl?: Record<string, string>;
  seccomp?: LinuxSeccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rootfsPropagation?: string;
}
