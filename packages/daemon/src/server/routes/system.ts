import os from 'node:os';
import type { FastifyPluginAsync } from 'fastify';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION, type InfoResponse, type VersionResponse } from '@berth/api';
import type { Engine } from '../engine.js';
import { hostSecurityModules } from '../../container/host-security.js';

const PING_HEADERS = { 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Builder-Version': '1', Swarm: 'inactive' };

export function systemRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    // fastify answers HEAD /_ping from this route too.
    app.get('/_ping', async (_request, reply) => reply.headers(PING_HEADERS).type('text/plain; charset=utf-8').send('OK'));

    app.get('/version', async (): Promise<VersionResponse> => {
      const details = {
        ApiVersion: API_VERSION,
        MinAPIVersion: MIN_API_VERSION,
        Os: 'linux',
        Arch: goArch(),
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
        Arch: goArch(),
        KernelVersion: os.release(),
        BuildTime: engine.startedAt.toISOString(),
      };
    });

    app.get('/info', async (): Promise<InfoResponse & Record<string, unknown>> => {
      const counts = engine.containers.counts();
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
        Runtimes: { runc: { path: 'runc' }, crun: { path: 'crun' } },
        CgroupDriver: 'cgroupfs',
        CgroupVersion: '1',
        LoggingDriver: 'k8s-file',
        Plugins: { Volume: ['local'], Network: ['none', 'host'], Authorization: null, Log: ['k8s-file'] },
        MemoryLimit: true,
        SwapLimit: true,
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        PidsLimit: true,
        IPv4Forwarding: false,
        Debug: false,
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

function goArch(): string {
  return os.arch() === 'x64' ? 'amd64' : os.arch();
}
