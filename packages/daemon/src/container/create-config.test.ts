import { describe, expect, it } from 'vitest';
import { mergeCreateConfig } from './create-config.js';

const image = { Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/srv', User: 'nobody', Labels: { a: 'x' } };

describe('mergeCreateConfig', () => {
  it('takes the image Cmd when the user gives none', () => {
    const merged = mergeCreateConfig({ Image: 'busybox' }, 'busybox', image);
    expect([merged.path, ...merged.args]).toEqual(['sh']);
    expect(merged.config.WorkingDir).toBe('/srv');
    expect(merged.config.User).toBe('nobody');
  });

  it('replaces the image Cmd with the user Cmd', () => {
    const merged = mergeCreateConfig({ Image: 'busybox', Cmd: ['echo', 'hello'] }, 'busybox', image);
    expect([merged.path, ...merged.args]).toEqual(['echo', 'hello']);
  });

  it('drops the image Cmd when the user sets an entrypoint', () => {
    const merged = mergeCreateConfig({ Image: 'busybox', Entrypoint: ['/bin/env'] }, 'busybox', image);
    expect([merged.path, ...merged.args]).toEqual(['/bin/env']);
  });

  it('clears the image entrypoint with --entrypoint ""', () => {
    const merged = mergeCreateConfig({ Image: 'x', Entrypoint: [''], Cmd: ['true'] }, 'x', { ...image, Entrypoint: ['/init'] });
    expect([merged.path, ...merged.args]).toEqual(['true']);
  });

  it('treats a string Cmd as one argument', () => {
    expect(mergeCreateConfig({ Image: 'x', Cmd: 'date' }, 'x', image).path).toBe('date');
  });

  it('refuses an empty command', () => {
    expect(() => mergeCreateConfig({ Image: 'x' }, 'x', { Env: [] })).toThrow('No command specified');
  });

  it('refuses a relative working dir', () => {
    expect(() => mergeCreateConfig({ Image: 'x', WorkingDir: 'rel' }, 'x', image)).toThrow(/needs to be an absolute path/);
  });

  it('puts the request env first and adds the image entries it does not name, as moby does', () => {
    const merged = mergeCreateConfig({ Image: 'x', Env: ['A=2', 'B=3'], Labels: { b: 'y' } }, 'x', image);
    expect(merged.config.Env).toEqual(['A=2', 'B=3', 'PATH=/bin']);
    expect(merged.config.Labels).toEqual({ a: 'x', b: 'y' });
    expect(mergeCreateConfig({ Image: 'x', Env: ['PATH'] }, 'x', image).config.Env).toEqual(['PATH', 'A=1']);
  });

  it('refuses a hostname with the host UTS namespace', () => {
    expect(() => mergeCreateConfig({ Image: 'x', Hostname: 'h', HostConfig: { UTSMode: 'host' } }, 'x', image)).toThrow(
      'conflicting options: hostname and the UTS mode',
    );
  });
});
