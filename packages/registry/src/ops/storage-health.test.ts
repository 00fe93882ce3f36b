import { describe, expect, it } from 'vitest';
import type { StorageDriver } from '../storage/storage-driver.js';
import { StorageHealthCheck } from './storage-health.js';

/** A driver whose stat of the root fails while `failing` is set. */
function driver(state: { failing: boolean }): StorageDriver {
  return {
    name: 'filesystem',
    stat: async () => {
      if (state.failing) throw new Error('ELOOP: too many symbolic links');
      return undefined;
    },
  } as unknown as StorageDriver;
}

describe('StorageHealthCheck', () => {
  it('fails after threshold failures in a row, and passes again at the first success', async () => {
    const state = { failing: true };
    const check = new StorageHealthCheck(driver(state), { intervalMs: 1000, threshold: 2 });
    await check.check();
    expect(check.status()).toEqual({});
    await check.check();
    expect(check.status()).toEqual({ storagedriver_filesystem: 'ELOOP: too many symbolic links' });
    state.failing = false;
    await check.check();
    expect(check.status()).toEqual({});
  });

  it('fails at the first failure with threshold 0, as Go', async () => {
    const check = new StorageHealthCheck(driver({ failing: true }), { intervalMs: 1000, threshold: 0 });
    await check.check();
    expect(Object.keys(check.status())).toEqual(['storagedriver_filesystem']);
  });

  it('counts an absent root as healthy: nothing pushed yet', async () => {
    const check = new StorageHealthCheck(driver({ failing: false }), { intervalMs: 1000, threshold: 0 });
    await check.check();
    expect(check.status()).toEqual({});
  });
});
