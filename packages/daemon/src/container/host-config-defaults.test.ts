import { describe, expect, it } from 'vitest';
import { withHostConfigDefaults } from './host-config-defaults.js';

describe('withHostConfigDefaults', () => {
  it('fills in shm size and doubles memory for swap, as dockerd does', () => {
    expect(withHostConfigDefaults({ Memory: 32 }, 'runc')).toMatchObject({ ShmSize: 64 * 1024 * 1024, Memory: 32, MemorySwap: 64 });
    expect(withHostConfigDefaults({ Memory: 32, MemorySwap: -1, ShmSize: 1024 }, 'runc')).toMatchObject({ MemorySwap: -1, ShmSize: 1024 });
    expect(withHostConfigDefaults({}, 'runc').MemorySwap).toBeUndefined();
  });
});

describe('withHostConfigDefaults: modes and paths', () => {
  it('records the namespace modes, runtime and system paths used, as dockerd shows them', () => {
    const hc = withHostConfigDefaults({ IpcMode: '', MaskedPaths: null }, 'runc');
    expect(hc).toMatchObject({ IpcMode: 'private', CgroupnsMode: 'host', Runtime: 'runc' });
    expect(withHostConfigDefaults({}, 'crun').Runtime).toBe('crun');
    expect(hc.MaskedPaths).toContain('/proc/kcore');
    expect(hc.ReadonlyPaths).toContain('/proc/sys');
    expect(withHostConfigDefaults({ MaskedPaths: [], ReadonlyPaths: [] }, 'runc')).toMatchObject({ MaskedPaths: [], ReadonlyPaths: [] });
    expect(withHostConfigDefaults({ Privileged: true }, 'runc').MaskedPaths).toBeUndefined();
  });
});
