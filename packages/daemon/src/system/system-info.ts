import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION, type InfoResponse, type VersionResponse } from '@berth/api';
import { HOST_ARCHITECTURE } from '@berth/oci';
import { DEFAULT_LOG_DRIVER, LOG_PLUGINS } from '../container/log-config.js';
import type { RegistryInfo } from '../image/registry-hosts.js';
import type { HostFacts } from '../ports.js';

/** What `/info` counts and reports of the engine, beside the host's facts. */
export interface SystemInfoSources {
  containers: { counts(): { total: number; running: number; paused: number; stopped: number } };
  images: { list(): readonly unknown[] };
  events: { readonly subscriberCount: number };
  dataRoot: string;
  /** The one runtime every container runs with. */
  runtime: string;
  /** The engine's lasting ID. */
  id: string;
  /** What `docker info` warns about, such as a runtime accepted without a security fix. */
  warnings: readonly string[];
  host: HostFacts;
  /** The registries' configuration: insecure ones, mirrors. */
  registries: RegistryInfo;
  /** The authorization plugins, in the order they are asked. */
  authorizationPlugins?: readonly string[];
  /** The daemon runs containers in user namespaces (`--userns-remap`). */
  usernsRemap?: boolean;
}

/** `/version` and `/info`: the engine's and the host's facts, assembled here so the routes only render them. */
export class SystemInfoService {
  private readonly startedAt = new Date();

  constructor(private readonly sources: SystemInfoSources) {}

  version(): VersionResponse {
    const details = {
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      Os: 'linux',
      Arch: HOST_ARCHITECTURE,
      KernelVersion: this.sources.host.kernelVersion(),
      GitCommit: '',
      GoVersion: process.version,
      BuildTime: '',
      Experimental: 'false',
    };
    return {
      Platform: { Name: 'Berth Engine' },
      Components: [
        { Name: 'Engine', Version: ENGINE_VERSION, Details: details },
        { Name: this.sources.runtime, Version: '', Details: { GitCommit: '' } },
      ],
      Version: ENGINE_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: '',
      GoVersion: process.version,
      Os: 'linux',
      Arch: HOST_ARCHITECTURE,
      KernelVersion: this.sources.host.kernelVersion(),
      BuildTime: this.startedAt.toISOString(),
    };
  }

  async info(): Promise<InfoResponse & Record<string, unknown>> {
    const { containers, images, events, dataRoot, runtime, id, warnings, host, registries, usernsRemap } = this.sources;
    const counts = containers.counts();
    const switches = await host.networkSwitches();
    return {
      ID: id,
      Containers: counts.total,
      ContainersRunning: counts.running,
      ContainersPaused: counts.paused,
      ContainersStopped: counts.stopped,
      Images: images.list().length,
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs']],
      DockerRootDir: dataRoot,
      ServerVersion: ENGINE_VERSION,
      OperatingSystem: 'Berth on Linux',
      OSType: 'linux',
      OSVersion: '',
      Architecture: host.architecture(),
      KernelVersion: host.kernelVersion(),
      NCPU: host.cpuCount(),
      MemTotal: host.memTotal(),
      Name: host.hostname(),
      DefaultRuntime: runtime,
      Runtimes: { [runtime]: { path: runtime } },
      CgroupDriver: 'cgroupfs',
      CgroupVersion: String(host.cgroupVersion()),
      LoggingDriver: DEFAULT_LOG_DRIVER,
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: this.sources.authorizationPlugins?.length ? [...this.sources.authorizationPlugins] : null, Log: [...LOG_PLUGINS] },
      MemoryLimit: true,
      SwapLimit: true,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      OomKillDisable: true,
      IPv4Forwarding: switches.ipv4Forwarding,
      BridgeNfIptables: switches.bridgeNfIptables,
      BridgeNfIp6tables: switches.bridgeNfIp6tables,
      Debug: false,
      NFd: await host.openFiles(),
      // Node has no goroutines: its threads are the nearest thing.
      NGoroutines: await host.threadCount(),
      SystemTime: new Date().toISOString(),
      NEventsListener: events.subscriberCount,
      IndexServerAddress: 'https://index.docker.io/v1/',
      GenericResources: null,
      HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
      HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
      NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
      Isolation: '',
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: '', Expected: '' },
      RuncCommit: { ID: '', Expected: '' },
      InitCommit: { ID: '', Expected: '' },
      CDISpecDirs: [],
      LiveRestoreEnabled: true,
      Labels: [],
      ExperimentalBuild: false,
      SecurityOptions: securityOptions(host.securityModules(), usernsRemap ?? false),
      RegistryConfig: registries,
      Swarm: { LocalNodeState: 'inactive', NodeID: '', NodeAddr: '', ControlAvailable: false, Error: '', RemoteManagers: null },
      Warnings: [...warnings],
    };
  }
}

/** What `docker info` lists under Security Options, in moby's order. */
function securityOptions(modules: { apparmor: boolean; selinux: boolean }, usernsRemap: boolean): string[] {
  return [...(modules.apparmor ? ['name=apparmor'] : []), 'name=seccomp,profile=builtin', ...(modules.selinux ? ['name=selinux'] : []), ...(usernsRemap ? ['name=userns'] : [])];
}
