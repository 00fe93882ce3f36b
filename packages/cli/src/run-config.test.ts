import { describe, expect, it } from 'vitest';
import { buildRunConfig } from './run-config.js';

describe('buildRunConfig', () => {
  it('attaches stdout and stderr, and stdin only with -i, when not detached', () => {
    expect(buildRunConfig('busybox', ['echo', 'hi'], { env: [] }, {})).toMatchObject({
      Image: 'busybox',
      Cmd: ['echo', 'hi'],
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Env: [],
      HostConfig: expect.objectContaining({ AutoRemove: false }),
    });
    expect(buildRunConfig('busybox', [], { env: [], interactive: true, tty: true }, {})).toMatchObject({
      Tty: true,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
    });
  });

  it('attaches nothing when detached, keeping stdin open with -i', () => {
    expect(buildRunConfig('busybox', [], { env: [], detach: true, interactive: true, rm: true }, {})).toMatchObject({
      OpenStdin: true,
      StdinOnce: false,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      HostConfig: { AutoRemove: true },
    });
  });

  it('passes env, workdir and entrypoint, taking bare -e names from the environment', () => {
    const config = buildRunConfig('busybox', [], { env: ['A=1', 'HOME', 'UNSET'], workdir: '/tmp', entrypoint: '' }, { HOME: '/root' });
    expect(config.Env).toEqual(['A=1', 'HOME=/root', 'UNSET']);
    expect(config.WorkingDir).toBe('/tmp');
    expect(config.Entrypoint).toEqual(['']);
    expect(config.Cmd).toBeUndefined();
  });
});
