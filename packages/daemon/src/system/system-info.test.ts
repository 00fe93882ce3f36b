import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../ports.js';
import { RegistryHosts } from '../image/registry-hosts.js';
import { SystemInfoService } from './system-info.js';

const host: HostFacts = {
  kernelVersion: () => '6.1.0-test',
  architecture: () => 'aarch64',
  hostname: () => 'box',
  memTotal: () => 8_000_000_000,
  cpuCount: () => 6,
  cgroupVersion: () => 2,
  securityModules: () => ({ apparmor: true, selinux: false }),
  openFiles: async () => 42,
  threadCount: async () => 11,
  networkSwitches: async () => ({ ipv4Forwarding: true, bridgeNfIptables: false, bridgeNfIp6tables: false }),
};

function service(facts: Partial<HostFacts> = {}): SystemInfoService {
  return new SystemInfoService({
    containers: { counts: () => ({ total: 4, running: 2, paused: 1, stopped: 1 }) },
    images: { list: () => [{}, {}, {}] },
    events: { subscriberCount: 5 },
    dataRoot: '/var/lib/berth',
    runtime: 'crun',
    id: 'engine-id',
    warnings: ['WARNING: a runtime without a fix'],
    host: { ...host, ...facts },
    registries: new RegistryHosts({ insecureRegistries: [], registryMirrors: [], registryMirrorsFor: {}, certsDir: '/nonexistent' }).info(),
  });
}

describe('SystemInfoService', () => {
  it("assembles /info from the engine's sources", async () => {
    expect(await service().info()).toMatchObject({
      ID: 'engine-id',
      Containers: 4,
      ContainersRunning: 2,
      ContainersPaused: 1,
      ContainersStopped: 1,
      Images: 3,
      NEventsListener: 5,
      DockerRootDir: '/var/lib/berth',
      DefaultRuntime: 'crun',
      Runtimes: { crun: { path: 'crun' } },
      CgroupDriver: 'cgroupfs',
      Warnings: ['WARNING: a runtime without a fix'],
    });
  });

  it("reports the host's facts in /info's fields", async () => {
    expect(await service().info()).toMatchObject({
      KernelVersion: '6.1.0-test',
      Architecture: 'aarch64',
      Name: 'box',
      MemTotal: 8_000_000_000,
      NCPU: 6,
      CgroupVersion: '2',
      NFd: 42,
      NGoroutines: 11,
    });
    expect((await service({ cgroupVersion: () => 1 }).info()).CgroupVersion).toBe('1');
  });

  it("lists the security modules in moby's order, seccomp always", async () => {
    expect((await service().info()).SecurityOptions).toEqual(['name=apparmor', 'name=seccomp,profile=builtin']);
    const selinux = await service({ securityModules: () => ({ apparmor: false, selinux: true }) }).info();
    expect(selinux.SecurityOptions).toEqual(['name=seccomp,profile=builtin', 'name=selinux']);
  });

  it('names the runtime and the kernel in /version', () => {
    const version = service().version();
    expect(version.Components[1]).toEqual({ Name: 'crun', Version: '', Details: { GitCommit: '' } });
    expect(version.KernelVersion).toBe('6.1.0-test');
    expect(version.Components[0]!.Details).toMatchObject({ KernelVersion: '6.1.0-test' });
  });
});
