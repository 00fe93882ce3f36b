import { describe, expect, it } from 'vitest';
import { withHostConfigDefaults } from './host-config-defaults.js';

describe('withHostConfigDefaults', () => {
  it('fills in shm size and doubles memory for swap, as dockerd does', () => {
    expect(withHostConfigDefaults({ Memory: 32 })).toMatchObject({ ShmSize: 64 * 1024 * 1024, Memory: 32, MemorySwap: 64 });
    expect(withHostConfigDefaults({ Memory: 32, MemorySwap: -1, ShmSize: 1024 })).toMatchObject({ MemorySwap: -1, ShmSize: 1024 });
    expect(withHostConfigDefaults({}).MemorySwap).toBeUndefined();
  });
});
