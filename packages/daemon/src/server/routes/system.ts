import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION, NoQuerySchema, type InfoResponse, type VersionResponse } from '@berth/api';
import { HOST_ARCHITECTURE } from '@berth/oci';
import type { Engine } from '../engine.js';
import { hostSecurityModules } from '../../container/host-security.js';
import { DEFAULT_LOG_DRIVER, LOG_PLUGINS } from '../../container/log-config.js';

const PING_HEADERS = { 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Builder-Version': '1', Swarm: 'inactive' };

const noQuery = { schema: { querystring: NoQuerySchema } };

export function systemRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    const ping = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
      reply.headers(PING_HEADERS).type('text/plain; charset=utf-8').send('OK');
    app.get('/_ping', noQuery, ping);
    app.head('/_ping', noQuery, ping);

    app.get('/version', noQuery, async (): Promise<VersionResponse> => {
      const details = {
        ApiVersion: API_VERSION,
        MinAPIVersion: MIN_API_VERSION,
        Os: 'linux',
        Arch: HOST_ARCHITECTURE,
        KernelVersion: os.release(),
        GitCommit: '',
        GoVersion: process.version,
        BuildTime: '',
        Experimental: 'false',
      };
      return {
        Platform: { Name: 'Berth Engine' },
        Components: [
          { Name: 'Engine', Version: ENGINE_VERSION, Details: details },
          { Name: engine.config.runtime, Version: '', Details: { GitCommit: '' } },
        ],
        Version: ENGINE_VERSION,
        ApiVersion: API_VERSION,
        MinAPIVersion: MIN_API_VERSION,
        GitCommit: '',
        GoVersion: process.version,
        Os: 'linux',
        Arch: HOST_ARCHITECTURE,
        KernelVersion: os.release(),
        BuildTime: engine.startedAt.toISOString(),
      };
    });

    app.get('/info', noQuery, async (): Promise<InfoResponse & Record<string, unknown>> => {
      const counts = engine.inspection.counts();
      return {
        ID: engine.id,
        Containers: counts.total,
        ContainersRunning: counts.running,
        ContainersPaused: counts.paused,
        ContainersStopped: counts.stopped,
        Images: engine.images.list().length,
        Driver: 'overlay2',
        DriverStatus: [['Backing Filesystem', 'extfs']],
        DockerRootDir: engine.config.dataRoot,
        ServerVersion: ENGINE_VERSION,
        OperatingSystem: 'Berth on Linux',
        OSType: 'linux',
        OSVersion: '',
        Architecture: os.arch() === 'x64' ? 'x86_64' : os.arch(),
        KernelVersion: os.release(),
        NCPU: os.cpus().length,
        MemTotal: os.totalmem(),
        Name: os.hostname(),
        DefaultRuntime: engine.config.runtime,
        // Every container runs with the one runtime the engine was started with.
        Runtimes: { [engine.config.runtime]: { path: engine.config.runtime } },
        CgroupDriver: 'cgroupfs',
        CgroupVersion: '1',
        LoggingDriver: DEFAULT_LOG_DRIVER,
        Plugins: { Volume: ['local'], Network: ['host', 'null'], Authorization: null, Log: [...LOG_PLUGINS] },
        MemoryLimit: true,
        SwapLimit: true,
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        CPUSet: true,
        PidsLimit: true,
        OomKillDisable: true,
        IPv4Forwarding: false,
        // No bridge networks: nothing of theirs goes through iptables.
        BridgeNfIptables: false,
        BridgeNfIp6tables: false,
        Debug: false,
        NFd: (await readdir('/proc/self/fd')).length,
        // Node has no goroutines: its threads are the nearest thing.
        NGoroutines: await threadCount(),
        SystemTime: new Date().toISOString(),
        NEventsListener: engine.events.subscriberCount,
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
        SecurityOptions: securityOptions(),
        RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
        Swarm: { LocalNodeState: 'inactive', NodeID: '', NodeAddr: '', ControlAvailable: false, Error: '', RemoteManagers: null },
        Warnings: engine.warnings,
      };
    });
  };
}

/** What `docker info` lists under Security Options, in moby's order. */
function securityOptions(): string[] {
  return [
    ...(hostSecurityModules.apparmor ? ['name=apparmor'] : []),
    'name=seccomp,profile=builtin',
    ...(hostSecurityModules.selinux ? ['name=selinux'] : []),
  ];
}

async function threadCount(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/^Threads:\s*(\d+)/m.exec(status)?.[1] ?? 0);
}

