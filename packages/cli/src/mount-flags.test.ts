import { describe, expect, it } from 'vitest';
import type { ContainerCreateRequest } from '@berth/api';
import { applyMountFlags, parseMountFlag } from './mount-flags.js';

describe('parseMountFlag', () => {
  it('builds a volume mount with options', () => {
    expect(parseMountFlag('type=volume,src=data,dst=/data,volume-nocopy,readonly,volume-label=a=b,volume-opt=type=tmpfs')).toEqual({
      Type: 'volume',
      Source: 'data',
      Target: '/data',
      ReadOnly: true,
      VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Options: { type: 'tmpfs' } } },
    });
  });

  it('defaults to a volume and takes bind propagation and tmpfs options', () => {
    expect(parseMountFlag('target=/x')).toEqual({ Type: 'volume', Target: '/x' });
    expect(parseMountFlag('type=bind,source=/h,destination=/x,bind-propagation=rslave,ro=false')).toEqual({
      Type: 'bind',
      Source: '/h',
      Target: '/x',
      ReadOnly: false,
      BindOptions: { Propagation: 'rslave' },
    });
    expect(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770')).toEqual({
      Type: 'tmpfs',
      Target: '/t',
      TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 },
    });
  });

  it.each([
    ['type=volume,src=x', 'target is required'],
    ['type=volume,dst=/x,bogus=1', "unexpected key 'bogus'"],
    ['type,dst=/x', "invalid field 'type' must be a key=value pair"],
    ['type=tmpfs,dst=/x,tmpfs-size=lots', "invalid size: 'lots'"],
  ])('rejects %s', (value, message) => {
    expect(() => parseMountFlag(value)).toThrow(message);
  });
});

describe('applyMountFlags', () => {
  it('splits -v into binds and anonymous volumes and adds the other flags', () => {
    const config: ContainerCreateRequest = { Image: 'busybox', HostConfig: { AutoRemove: false } };
    applyMountFlags(config, {
      volume: ['data:/data:ro', '/anon', '/host:/h:z'],
      mount: ['type=tmpfs,dst=/t'],
      tmpfs: ['/run:size=1m', '/cache'],
      volumesFrom: ['other:ro'],
    });
    expect(config.Volumes).toEqual({ '/anon': {} });
    expect(config.HostConfig).toEqual({
      AutoRemove: false,
      Binds: ['data:/data:ro', '/host:/h:z'],
      Mounts: [{ Type: 'tmpfs', Target: '/t' }],
      Tmpfs: { '/run': 'size=1m', '/cache': '' },
      VolumesFrom: ['other:ro'],
    });
  });
});
