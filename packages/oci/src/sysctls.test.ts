import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { validateSysctls } from './sysctls.js';

describe('validateSysctls', () => {
  const own = { hostNetwork: false, hostIpc: false };

  it('accepts namespaced sysctls', () => {
    expect(() =>
      validateSysctls(
        { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'kernel.sem': '1 2 3 4', 'fs.mqueue.msg_max': '10', 'kernel.msgmax': '1' },
        own,
      ),
    ).not.toThrow();
  });

  it('rejects host-wide sysctls as Docker does', () => {
    expect(() => validateSysctls({ 'kernel.pid_max': '10' }, own)).toThrow(
      new InvalidArgumentError("sysctl 'kernel.pid_max=10' is not allowed"),
    );
    expect(() => validateSysctls({ 'vm.swappiness': '1' }, own)).toThrow(InvalidArgumentError);
    expect(() => validateSysctls({ 'kernel.hostname': 'x' }, own)).toThrow(InvalidArgumentError);
  });

  it('rejects namespaced sysctls when the namespace is the host', () => {
    expect(() => validateSysctls({ 'net.core.somaxconn': '1' }, { hostNetwork: true, hostIpc: false })).toThrow(
      'sysctl "net.core.somaxconn" is not allowed in the hosts network namespace',
    );
    expect(() => validateSysctls({ 'fs.mqueue.msg_max': '1' }, { hostNetwork: false, hostIpc: true })).toThrow(
      'sysctl "fs.mqueue.msg_max" is not allowed in the hosts ipc namespace',
    );
  });
});
