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

  // Found by the fuzz suite: `POST /containers/{id}/update {"Ulimits":{"a":1}}` was a 200, the field ignored.
  it('refuses to change ulimits, which only a create sets, and takes them unset or unchanged', () => {
    const nofile = { Name: 'nofile', Soft: 1, Hard: 1 };
    const nproc = { Name: 'nproc', Soft: 5, Hard: 9 };
    expect(() => updatedHostConfig({}, { Ulimits: [nofile] })).toThrow('Ulimits cannot be changed by an update');
    expect(() => updatedHostConfig({ Ulimits: [nofile] }, { Ulimits: [{ ...nofile, Hard: 2 }] })).toThrow('Ulimits cannot be changed by an update');
    expect(() => updatedHostConfig({ Ulimits: [nofile, nproc] }, { Ulimits: [nofile] })).toThrow('Ulimits cannot be changed by an update');
    expect(updatedHostConfig({ Memory: 32 * MB }, { Ulimits: null })).toEqual({ Memory: 32 * MB });
    expect(updatedHostConfig({ Memory: 32 * MB }, { Ulimits: [] })).toEqual({ Memory: 32 * MB });
    expect(updatedHostConfig({ Ulimits: [nofile, nproc] }, { Ulimits: [nproc, nofile], Memory: 32 * MB })).toEqual({ Ulimits: [nofile, nproc], Memory: 32 * MB });
  });

  it('keeps NanoCpus and CPU quota apart', () => {
    expect(() => updatedHostConfig({ NanoCpus: 1e9 }, { CpuQuota: 50_000 })).toThrow('Conflicting options');
  });
});
