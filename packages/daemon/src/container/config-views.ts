import type { ContainerConfig, HostConfig } from '@berth/api';
import { DEFAULT_READONLY_PATHS, defaultMaskedPaths } from '@berth/oci';
import { DEFAULT_LOG_DRIVER } from './log-config.js';

/**
 * Inspect's HostConfig and Config as moby marshals its structs: every field, in Docker's order, with
 * the zero value or the default dockerd fills in where the container's record has none, and the
 * `omitempty` fields only when set. Fields Docker does not know are dropped, as its decoder drops them.
 */

/** Go's `omitempty`: left out when empty (false, 0, "", nil, an empty map or slice). */
const OMIT = Symbol('omitempty');
/** `omitempty` on a pointer: left out only when nil. */
const OMIT_NIL = Symbol('omitempty pointer');

/** moby's HostConfig with its embedded Resources. */
function hostConfigTemplate(runtime: string, privileged: boolean): Record<string, unknown> {
  return {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: DEFAULT_LOG_DRIVER, Config: {} },
    NetworkMode: 'default',
    PortBindings: null,
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    Annotations: OMIT,
    CapAdd: null,
    CapDrop: null,
    // The defaults on a cgroup v1 host, which are also what @berth/oci's namespaces give.
    CgroupnsMode: 'host',
    Dns: null,
    DnsOptions: null,
    DnsSearch: null,
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    StorageOpt: OMIT,
    Tmpfs: OMIT,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 0,
    Sysctls: OMIT,
    Runtime: runtime,
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: null,
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: null,
    DeviceCgroupRules: null,
    DeviceRequests: null,
    KernelMemoryTCP: OMIT,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    Mounts: OMIT,
    // What the runtime spec applies: none for a privileged container.
    MaskedPaths: privileged ? null : defaultMaskedPaths(),
    ReadonlyPaths: privileged ? null : [...DEFAULT_READONLY_PATHS],
    Init: OMIT_NIL,
  };
}

/** Values the record may hold that Docker shows otherwise. */
function normaliseHostConfig(hc: HostConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...hc };
  // moby keeps "unset" as nil: a PidsLimit ≤ 0 and a MemorySwappiness of -1 (the CLI's defaults) mean unset.
  if (typeof hc.PidsLimit === 'number' && hc.PidsLimit <= 0) out.PidsLimit = null;
  if (out.MemorySwappiness === -1) out.MemorySwappiness = null;
  if (!hc.LogConfig?.Type) out.LogConfig = { Type: DEFAULT_LOG_DRIVER, Config: hc.LogConfig?.Config ?? {} };
  else if (!hc.LogConfig.Config) out.LogConfig = { ...hc.LogConfig, Config: {} };
  if (hc.RestartPolicy && !hc.RestartPolicy.Name) out.RestartPolicy = { ...hc.RestartPolicy, Name: 'no', MaximumRetryCount: hc.RestartPolicy.MaximumRetryCount ?? 0 };
  // Unset here means dockerd's default, which the template holds.
  for (const key of ['IpcMode', 'CgroupnsMode']) if (!out[key]) delete out[key];
  // Every container runs with the engine's runtime, whatever was asked at create.
  delete out.Runtime;
  for (const key of ['MaskedPaths', 'ReadonlyPaths', 'OomKillDisable']) if (out[key] === null) delete out[key];
  return out;
}

export function hostConfigView(hc: HostConfig, runtime: string): HostConfig {
  return fillTemplate(hostConfigTemplate(runtime, hc.Privileged ?? false), normaliseHostConfig(hc)) as HostConfig;
}

/** moby's container.Config. */
const CONFIG_TEMPLATE: Record<string, unknown> = {
  Hostname: '',
  Domainname: '',
  User: '',
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  ExposedPorts: OMIT,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: null,
  Healthcheck: OMIT_NIL,
  ArgsEscaped: OMIT,
  Image: '',
  Volumes: null,
  WorkingDir: '',
  Entrypoint: null,
  NetworkDisabled: OMIT,
  MacAddress: OMIT,
  OnBuild: null,
  Labels: null,
  StopSignal: OMIT,
  StopTimeout: OMIT_NIL,
  Shell: OMIT,
};

export function containerConfigView(config: ContainerConfig): ContainerConfig {
  const values: Record<string, unknown> = { ...config };
  if (config.Volumes && Object.keys(config.Volumes).length === 0) values.Volumes = null;
  return fillTemplate(CONFIG_TEMPLATE, values) as ContainerConfig;
}

/** The template's fields in its order, each the record's value when it has one; `omitempty` fields only when set. */
function fillTemplate(template: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, fallback] of Object.entries(template)) {
    const value = values[key];
    if (fallback === OMIT) {
      if (!isEmpty(value)) out[key] = value;
    } else if (fallback === OMIT_NIL) {
      if (value !== undefined && value !== null) out[key] = value;
    } else {
      out[key] = value === undefined ? fallback : value;
    }
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}
