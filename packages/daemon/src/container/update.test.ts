import { describe, expect, it } from 'vitest';
import { updatedHostConfig } from './update.js';

const MB = 1024 * 1024;

describe('updatedHostConfig', () => {
  it('keeps what the update leaves at zero and records the rest', () => {
    const next = updatedHostConfig({ Memory: 32 * MB, PidsLimit: 10 }, { Memory: 64 * MB, CpuShares: 512, PidsLimit: 0 });
    expect(next).toMatchObject({ Memory: 64 * MB, MemorySwap: 64 * MB, CpuShares: 512, PidsLimit: 10 });
  });

  it('refuses a memory limit above the swap total unless the swap changes too', () => {
    expect(() => updatedHostConfig({ Memory: 32 * MB }, { Memory: 128 * MB })).toThrow(
      'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    );
    expect(updatedHostConfig({ Memory: 32 * MB }, { Memory: 128 * MB, MemorySwap: 256 * MB })).toMatchObject({ Memory: 128 * MB, MemorySwap: 256 * MB });
  });

  it('validates and normalises the restart policy', () => {
    expect(updatedHostConfig({}, { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } }).RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
    expect(() => updatedHostConfig({}, { RestartPolicy: { Name: 'sometimes' } })).toThrow("unknown policy 'sometimes'");
    expect(() => updatedHostConfig({ AutoRemove: true }, { RestartPolicy: { Name: 'always' } })).toThrow(
      'Restart policy cannot be updated because AutoRemove is enabled for the container',
    );
  });

  it('keeps NanoCpus and CPU quota apart', () => {
    expect(() => updatedHostConfig({ NanoCpus: 1e9 }, { CpuQuota: 50_000 })).toThrow('Conflicting options');
  });
});
