import type { LinuxDeviceCgroup } from './runtime-spec.js';

const allowChar = (major: number, minor?: number, access = 'rwm'): LinuxDeviceCgroup =>
  minor === undefined ? { allow: true, type: 'c', major, access } : { allow: true, type: 'c', major, minor, access };

/**
 * Docker's device cgroup policy (deny everything, allow the standard character devices, deny
 * /dev/fuse), followed by the allowances runc appends on its own (mknod of any node, full, ptmx,
 * pts, tun) so the spec is complete for runtimes that add nothing. The fuse denial must come before
 * the mknod wildcards: cgroup v1 cannot carve an exception out of an existing wildcard rule.
 */
export function defaultDeviceRules(): LinuxDeviceCgroup[] {
  return [
    { allow: false, access: 'rwm' },
    allowChar(1, 5), // zero
    allowChar(1, 3), // null
    allowChar(1, 9), // urandom
    allowChar(1, 8), // random
    allowChar(5, 0), // tty
    allowChar(5, 1), // console
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // fuse
    { allow: true, type: 'c', access: 'm' },
    { allow: true, type: 'b', access: 'm' },
    allowChar(1, 7), // full
    allowChar(5, 2), // ptmx
    allowChar(136), // pts/*
    allowChar(10, 200), // net/tun
  ];
}

/** A privileged container may use every device. */
export function privilegedDeviceRules(): LinuxDeviceCgroup[] {
  return [{ allow: true, access: 'rwm' }];
}
