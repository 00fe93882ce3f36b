import { describe, expect, it } from 'vitest';
import type { HostConfig } from '@berth/api';
import type { ContainerRecord } from './record.js';
import { initialRunState } from './state.js';
import { checkRuntimeName, validateHostConfig } from './validate-host-config.js';

function withHostConfig(hostConfig: HostConfig): ContainerRecord {
  return {
    id: 'a'.repeat(64),
    name: '/x',
    created: new Date().toISOString(),
    imageRef: 'busybox',
    imageId: 'sha256:bb',
    imageChainId: null,
    path: 'true',
    args: [],
    config: { Hostname: 'x' },
    hostConfig: { NetworkMode: 'none', ...hostConfig },
    state: initialRunState(),
    restartCount: 0,
    manuallyStopped: false,
  };
}

/** A host without AppArmor or SELinux. */
const host = { securityModules: { apparmor: false, selinux: false, isApparmorProfileLoaded: () => false } };
const check = (hc: HostConfig) => () => validateHostConfig(withHostConfig(hc), host);

describe('validateHostConfig', () => {
  it("fails with dockerd's messages", () => {
    expect(check({ CapAdd: ['FLY'] })).toThrow('unknown capability: "CAP_FLY"');
    expect(check({ Memory: -1 })).toThrow('Minimum memory limit allowed is 6MB');
    expect(check({ Memory: 1024 })).toThrow('Minimum memory limit allowed is 6MB');
    expect(check({ Memory: 64 * 1024 * 1024, MemorySwap: 32 * 1024 * 1024 })).toThrow('Minimum memoryswap limit should be larger than memory limit');
    expect(check({ RestartPolicy: { Name: 'sometimes' } })).toThrow("invalid restart policy: unknown policy 'sometimes'");
    expect(check({ AutoRemove: true, RestartPolicy: { Name: 'always' } })).toThrow("can't create 'AutoRemove' container with restart policy");
    expect(check({ Ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] })).toThrow('invalid ulimit type: bogus');
    expect(check({ Ulimits: [{ Name: 'nofile', Soft: 2, Hard: 1 }] })).toThrow('ulimit soft limit must be less than or equal to hard limit');
    expect(check({ Sysctls: { 'vm.swappiness': '1' } })).toThrow("sysctl 'vm.swappiness=1' is not allowed");
    expect(check({ NanoCpus: -1 })).toThrow('Range of CPUs is from 0.01');
    expect(check({ ShmSize: -1 })).toThrow('SHM size can not be less than 0');
  });

  it("returns the cgroup resources the spec asks for", () => {
    const resources = validateHostConfig(withHostConfig({ Memory: 32 * 1024 * 1024, NanoCpus: 5e8, PidsLimit: 10 }), host);
    expect(resources.memory).toEqual({ limit: 32 * 1024 * 1024, swap: 64 * 1024 * 1024 });
    expect(resources.cpu).toMatchObject({ quota: 50_000, period: 100_000 });
    expect(resources.pids).toEqual({ limit: 10 });
  });
});

describe('validateHostConfig: DNS and engine settings', () => {
  it('refuses DNS values the docker CLI would refuse, and that would break resolv.conf', () => {
    expect(check({ Dns: ['10.0.0.1', '::1'], DnsSearch: ['a.test', '.'], DnsOptions: ['ndots:2'] })).not.toThrow();
    expect(check({ Dns: ['resolver'] })).toThrow('IP address is not correctly formatted: resolver');
    expect(check({ DnsSearch: ['bad domain'] })).toThrow('bad domain is not a valid domain');
    expect(check({ DnsOptions: ['ndots:2\nnameserver 1.1.1.1'] })).toThrow('invalid DNS option');
  });

  it('accepts the runtime, isolation and volume driver this engine has, and refuses others', () => {
    expect(check({ Runtime: 'runc', Isolation: 'default', VolumeDriver: 'local', OomScoreAdj: -1000 })).not.toThrow();
    expect(() => checkRuntimeName({ Runtime: 'kata' }, 'runc')).toThrow('Unknown runtime specified kata');
    expect(() => checkRuntimeName({ Runtime: 'runc' }, 'crun')).toThrow('Unknown runtime specified runc');
    expect(() => checkRuntimeName({ Runtime: 'crun' }, 'crun')).not.toThrow();
    expect(check({ OomScoreAdj: 1001 })).toThrow('range for oom score adj is [-1000, 1000]');
  });
});
