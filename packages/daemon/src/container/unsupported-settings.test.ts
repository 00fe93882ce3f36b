import { describe, expect, it } from 'vitest';
import { refuseUnsupportedSettings } from './unsupported-settings.js';

describe('refuseUnsupportedSettings', () => {
  it('accepts the values the docker CLI sends for "not set"', () => {
    expect(() =>
      refuseUnsupportedSettings({ BlkioWeight: 0, Devices: [], DeviceCgroupRules: null, CpusetCpus: '', MemorySwappiness: -1, OomKillDisable: false, StorageOpt: {} }),
    ).not.toThrow();
    expect(() => refuseUnsupportedSettings({ MemorySwappiness: null })).not.toThrow();
  });

  it('refuses a set value, naming the flag and the field', () => {
    expect(() => refuseUnsupportedSettings({ DeviceCgroupRules: ['c 1:3 r'] })).toThrow(
      'berth does not support --device-cgroup-rule (HostConfig.DeviceCgroupRules) yet',
    );
    expect(() => refuseUnsupportedSettings({ MemorySwappiness: 0 })).toThrow('--memory-swappiness');
    expect(() => refuseUnsupportedSettings({ KernelMemoryTCP: 1 })).toThrow('berth does not support HostConfig.KernelMemoryTCP yet');
  });
});
