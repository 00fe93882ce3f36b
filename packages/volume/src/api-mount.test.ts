import { describe, expect, it } from 'vitest';
import { specFromApiMount } from './api-mount.js';

describe('specFromApiMount', () => {
  it('takes volume options', () => {
    expect(
      specFromApiMount({ Type: 'volume', Source: 'xx', Target: '/data/', ReadOnly: true, VolumeOptions: { NoCopy: true, Labels: { a: 'b' } } }),
    ).toMatchObject({ type: 'volume', source: 'xx', target: '/data', readOnly: true, noCopy: true, volumeLabels: { a: 'b' }, createSource: false });
  });

  it('allows an anonymous volume', () => {
    expect(specFromApiMount({ Type: 'volume', Target: '/data' })).toMatchObject({ source: '' });
  });

  it('takes bind propagation and never creates the source', () => {
    expect(specFromApiMount({ Type: 'bind', Source: '/srv', Target: '/x', BindOptions: { Propagation: 'rslave' } })).toMatchObject({
      type: 'bind',
      propagation: 'rslave',
      createSource: false,
    });
  });

  it('turns tmpfs size and mode into mount data', () => {
    expect(specFromApiMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } }).tmpfsOptions).toEqual([
      'size=1048576',
      'mode=1770',
    ]);
    // The Docker SDK for Python sends Source: null when it has none.
    expect(specFromApiMount({ Type: 'tmpfs', Target: '/t', Source: null }).tmpfsOptions).toEqual([]);
    expect(specFromApiMount({ Type: 'volume', Target: '/v', Source: null }).source).toBe('');
  });

  it.each([
    [{ Type: 'npipe', Target: '/x' }, 'mount type unknown'],
    [{ Type: 'bind', Target: '/x' }, 'invalid mount config for type "bind": field Source must not be empty'],
    [{ Type: 'bind', Source: 'rel', Target: '/x' }, "invalid mount path: 'rel'"],
    [{ Type: 'volume', Source: 'xx' }, 'field Target must not be empty'],
    [{ Type: 'volume', Source: '../x', Target: '/x' }, 'invalid characters'],
    [{ Type: 'tmpfs', Source: 'x', Target: '/x' }, 'field Source must not be specified'],
    [{ Type: 'bind', Source: '/s', Target: '/x', BindOptions: { Propagation: 'weird' } }, 'invalid propagation mode'],
    [{ Type: 'tmpfs', Target: '/x', VolumeOptions: {} }, 'field VolumeOptions must not be specified'],
  ])('rejects %j', (mount, message) => {
    expect(() => specFromApiMount(mount)).toThrow(message);
  });
});
