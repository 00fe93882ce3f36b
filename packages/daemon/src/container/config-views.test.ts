import { describe, expect, it } from 'vitest';
import { containerConfigView, hostConfigView } from './config-views.js';

describe('hostConfigView', () => {
  it('fills what a minimal create leaves out with dockerd defaults, in Docker order', () => {
    const view = hostConfigView({ NetworkMode: 'default', ShmSize: 1024 }, 'runc') as Record<string, unknown>;
    expect(view).toMatchObject({
      Binds: null,
      LogConfig: { Type: 'json-file', Config: {} },
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      IpcMode: 'private',
      CgroupnsMode: 'host',
      Runtime: 'runc',
      PidsLimit: null,
      MemorySwappiness: null,
      OomKillDisable: false,
      ShmSize: 1024,
    });
    expect(Object.keys(view).slice(0, 4)).toEqual(['Binds', 'ContainerIDFile', 'LogConfig', 'NetworkMode']);
    expect(view.MaskedPaths).toContain('/proc/kcore');
    for (const omitted of ['Mounts', 'Tmpfs', 'Sysctls', 'Init', 'Annotations']) expect(view).not.toHaveProperty(omitted);
  });

  it("shows unset as moby does and keeps what was set; drops fields Docker doesn't know", () => {
    const view = hostConfigView({ PidsLimit: 0, MemorySwappiness: -1, Privileged: true, Init: false, Tmpfs: { '/t': '' }, Bogus: 1 } as never, 'crun') as Record<string, unknown>;
    expect(view).toMatchObject({ PidsLimit: null, MemorySwappiness: null, MaskedPaths: null, ReadonlyPaths: null, Init: false, Tmpfs: { '/t': '' }, Runtime: 'crun' });
    expect(view).not.toHaveProperty('Bogus');
  });

  it('shows the runtime the engine runs containers with, whatever the record asked for', () => {
    expect(hostConfigView({ Runtime: 'runc' }, 'crun').Runtime).toBe('crun');
  });
});

describe('containerConfigView', () => {
  it('has every field of moby Config, the omitempty ones only when set', () => {
    const view = containerConfigView({ Image: 'busybox', Cmd: ['true'], Volumes: {}, NetworkDisabled: false, StopTimeout: 0 }) as Record<string, unknown>;
    expect(view).toMatchObject({ Hostname: '', Env: null, Cmd: ['true'], Volumes: null, OnBuild: null, Labels: null, StopTimeout: 0 });
    expect(view).not.toHaveProperty('NetworkDisabled');
    expect(view).not.toHaveProperty('Healthcheck');
  });
});
