import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRunConfig } from './run-config.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-run-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
      Env: null,
      Labels: {},
      HostConfig: expect.objectContaining({ AutoRemove: false, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, LogConfig: { Type: '', Config: {} } }),
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
      HostConfig: expect.objectContaining({ AutoRemove: true }),
    });
  });

  it('attaches only the -a streams, case-insensitively, and refuses others', () => {
    expect(buildRunConfig('busybox', [], { env: [], attach: ['STDOUT'] }, {})).toMatchObject({ AttachStdin: false, AttachStdout: true, AttachStderr: false, StdinOnce: false });
    expect(buildRunConfig('busybox', [], { env: [], attach: ['stdin'] }, {})).toMatchObject({ AttachStdin: true, AttachStdout: false, OpenStdin: false, StdinOnce: false });
    expect(() => buildRunConfig('busybox', [], { env: [], attach: ['bogus'] }, {})).toThrow('invalid argument "bogus" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR');
  });

  it('passes env, workdir and entrypoint, taking bare -e names from the environment, the last value of a name winning', () => {
    const config = buildRunConfig('busybox', [], { env: ['A=1', 'HOME', 'UNSET', 'A=2'], workdir: '/tmp', entrypoint: '' }, { HOME: '/root' });
    expect(config.Env).toEqual(['A=2', 'HOME=/root', 'UNSET']);
    expect(config.WorkingDir).toBe('/tmp');
    expect(config.Entrypoint).toEqual(['']);
    expect(config.Cmd).toBeNull();
    expect(() => buildRunConfig('busybox', [], { env: ['=x'] }, {})).toThrow('invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x');
  });

  it('reads --env-file and --label-file before -e and -l', () => {
    const envFile = join(dir, 'env');
    const labelFile = join(dir, 'labels');
    writeFileSync(envFile, 'A=file\nFROM_ENV\nMISSING\n');
    writeFileSync(labelFile, 'tier=file\nbare\n');
    const config = buildRunConfig('busybox', [], { env: ['B=flag'], envFile: [envFile], label: ['tier=flag', 'solo'], labelFile: [labelFile] }, { FROM_ENV: 'x' });
    expect(config.Env).toEqual(['A=file', 'FROM_ENV=x', 'B=flag']);
    expect(config.Labels).toEqual({ tier: 'flag', solo: '' });
  });

  it('sends the logging, storage, annotation, stop and user flags as docker does', () => {
    const config = buildRunConfig('busybox', [], { env: [], logDriver: 'json-file', logOpt: ['max-size=1m'], storageOpt: ['size=1G'], annotation: ['k=v'], stopSignal: 'SIGUSR1', stopTimeout: '5', user: '1000:1000', cidfile: '/tmp/cid', volumeDriver: 'local' }, {});
    expect(config).toMatchObject({ User: '1000:1000', StopSignal: 'SIGUSR1', StopTimeout: 5 });
    expect(config.HostConfig).toMatchObject({ LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } }, StorageOpt: { size: '1G' }, Annotations: { k: 'v' }, ContainerIDFile: '/tmp/cid', VolumeDriver: 'local' });
    expect(buildRunConfig('busybox', [], { env: [] }, {})).not.toHaveProperty('StopTimeout');
    expect(() => buildRunConfig('busybox', [], { env: [], logDriver: 'none', logOpt: ['a=b'] }, {})).toThrow('invalid logging opts for driver none');
    expect(() => buildRunConfig('busybox', [], { env: [], storageOpt: ['bogus'] }, {})).toThrow('invalid storage option');
    expect(() => buildRunConfig('busybox', [], { env: [], stopTimeout: 'x' }, {})).toThrow('invalid argument "x" for "--stop-timeout" flag');
  });
});
