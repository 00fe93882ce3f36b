import { describe, expect, it } from 'vitest';
import { detectCgroupVersion } from '../adapters/cgroup-version.js';
import { SystemInfoService } from './system-info.js';

const service = new SystemInfoService({
  containers: { counts: () => ({ total: 4, running: 2, paused: 1, stopped: 1 }) },
  images: { list: () => [{}, {}, {}] },
  events: { subscriberCount: 5 },
  dataRoot: '/var/lib/berth',
  runtime: 'crun',
  id: 'engine-id',
  warnings: ['WARNING: a runtime without a fix'],
});

describe('SystemInfoService', () => {
  it("assembles /info from the engine's sources and the host's facts", async () => {
    expect(await service.info()).toMatchObject({
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
      CgroupVersion: String(detectCgroupVersion()),
      Warnings: ['WARNING: a runtime without a fix'],
    });
  });

  it('names the runtime in /version', () => {
    expect(service.version().Components[1]).toEqual({ Name: 'crun', Version: '', Details: { GitCommit: '' } });
  });
});
