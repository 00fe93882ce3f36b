import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { buildRuntimeSpec, type SpecInput } from './build-runtime-spec.js';
import { capabilitiesFromMask } from './capabilities.js';
import { DEFAULT_MASKED_PATHS } from './masked-paths.js';
import type { LinuxDevice, RuntimeMount } from './runtime-spec.js';

const HOST_CAPS = capabilitiesFromMask('000001fffeffffff');
const HOST_DEVICES: LinuxDevice[] = [{ path: '/dev/loop0', type: 'b', major: 7, minor: 0, fileMode: 0o600, uid: 0, gid: 0 }];

function input(overrides: Partial<SpecInput> = {}): SpecInput {
  return {
    rootfs: '/var/lib/berth/containers/abc/rootfs',
    args: ['/bin/sh', '-c', 'echo hi'],
    env: ['FOO=bar'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [10] },
    terminal: false,
    hostname: 'abc123',
    namespaces: { network: 'none' },
    etcFiles: { hosts: '/run/c/hosts', hostname: '/run/c/hostname', resolvConf: '/run/c/resolv.conf' },
    cgroupsPath: '/berth/abc',
    hostLimits: { RLIMIT_NOFILE: { soft: 20000, hard: 20000 } },
    hostCapabilities: HOST_CAPS,
    hostDevices: HOST_DEVICES,
    ...overrides,
  };
}

const DOCKER_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const destinations = (mounts: RuntimeMount[]) => mounts.map((m) => m.destination);
const mountAt = (mounts: RuntimeMount[], destination: string) => mounts.find((m) => m.destination === destination);

describe('buildRuntimeSpec defaults', () => {
  const spec = buildRuntimeSpec(input());

  it('sets the process', () => {
    expect(spec.ociVersion).toBe('1.0.2');
    expect(spec.root).toEqual({ path: '/var/lib/berth/containers/abc/rootfs', readonly: false });
    expect(spec.hostname).toBe('abc123');
    expect(spec.process.args).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(spec.process.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'FOO=bar']);
    expect(spec.process.cwd).toBe('/');
    expect(spec.process.terminal).toBe(false);
    expect(spec.process.user).toEqual({ uid: 0, gid: 0, additionalGids: [0, 10] });
    expect(spec.process.noNewPrivileges).toBeUndefined();
    expect(spec).not.toHaveProperty('process.consoleSize');
  });

  it("grants Docker's capabilities: bounding = effective = permitted, nothing inheritable or ambient", () => {
    expect(spec.process.capabilities).toEqual({ bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS });
  });

  it('mounts the defaults in order, then the /etc files', () => {
    expect(spec.mounts).toEqual([
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'],
      },
      { destination: '/etc/resolv.conf', type: 'bind', source: '/run/c/resolv.conf', options: ['rbind', 'rprivate'] },
      { destination: '/etc/hostname', type: 'bind', source: '/run/c/hostname', options: ['rbind', 'rprivate'] },
      { destination: '/etc/hosts', type: 'bind', source: '/run/c/hosts', options: ['rbind', 'rprivate'] },
    ]);
  });

  it('masks and write-protects kernel interfaces', () => {
    expect(spec.linux.maskedPaths?.slice(0, DEFAULT_MASKED_PATHS.length)).toEqual([
      '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
      '/proc/sched_debug', '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap',
      '/sys/firmware',
    ]);
    expect(spec.linux.maskedPaths?.slice(DEFAULT_MASKED_PATHS.length).every((p) => p.endsWith('/thermal_throttle'))).toBe(true);
    expect(spec.linux.readonlyPaths).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('creates mount, network, uts, pid and ipc namespaces and no time namespace', () => {
    expect(spec.linux.namespaces).toEqual([{ type: 'mount' }, { type: 'network' }, { type: 'uts' }, { type: 'pid' }, { type: 'ipc' }]);
  });

  it('denies devices except the standard ones', () => {
    const rules = spec.linux.resources?.devices ?? [];
    expect(rules[0]).toEqual({ allow: false, access: 'rwm' });
    const fuse = rules.findIndex((r) => !r.allow && r.major === 10 && r.minor === 229);
    expect(fuse).toBe(7);
    // cgroup v1 cannot deny inside a wildcard: every wildcard comes after the fuse denial.
    expect(rules.findIndex((r) => r.minor === undefined && r.allow)).toBeGreaterThan(fuse);
    for (const [major, minor] of [[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [10, 200]]) {
      expect(rules).toContainEqual({ allow: true, type: 'c', major, minor, access: 'rwm' });
    }
    expect(rules).toContainEqual({ allow: true, type: 'c', major: 136, access: 'rwm' });
    expect(rules).toContainEqual({ allow: true, type: 'c', access: 'm' });
    expect(rules).toContainEqual({ allow: true, type: 'b', access: 'm' });
    expect(spec.linux.devices).toBeUndefined();
  });

  it('caps the default RLIMIT_NOFILE to the engine hard limit', () => {
    expect(spec.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }]);
  });

  it('applies the default seccomp profile, the cgroup path and the network sysctls', () => {
    expect(spec.linux.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(spec.linux.cgroupsPath).toBe('/berth/abc');
    expect(spec.linux.sysctl).toEqual({ 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '0' });
    expect(spec.linux.resources?.memory).toBeUndefined();
    expect(spec.linux.resources?.cpu).toBeUndefined();
    expect(spec.linux.resources?.pids).toBeUndefined();
  });
});

describe('buildRuntimeSpec options', () => {
  it('gives a remapped container a user namespace with its maps, and none otherwise', () => {
    const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const spec = buildRuntimeSpec(input({ userNamespace: { uidMappings: map, gidMappings: map } }));
    expect(spec.linux.namespaces).toContainEqual({ type: 'user' });
    expect(spec.linux.uidMappings).toEqual(map);
    expect(spec.linux.gidMappings).toEqual(map);
    const plain = buildRuntimeSpec(input());
    expect(plain.linux.namespaces.map((n) => n.type)).not.toContain('user');
    expect(plain.linux.uidMappings).toBeUndefined();
    expect(spec.linux.sysctl).toEqual({ 'net.ipv4.ip_unprivileged_port_start': '0' });
  });

  it('binds /sys and leaves network sysctls out for a remapped container joining a network namespace made beforehand', () => {
    const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const remapped = { userNamespace: { uidMappings: map, gidMappings: map }, namespaces: { network: { path: '/run/netns/x' } } };
    const spec = buildRuntimeSpec(input(remapped));
    expect(spec.mounts.find((m) => m.destination === '/sys')).toEqual({ destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'rro'] });
    expect(spec.linux.sysctl).toBeUndefined();
    expect(() => buildRuntimeSpec(input({ ...remapped, sysctls: { 'net.core.somaxconn': '1024' } }))).toThrow(InvalidArgumentError);
    expect(buildRuntimeSpec(input({ namespaces: { network: { path: '/run/netns/x' } } })).mounts.find((m) => m.destination === '/sys')?.type).toBe('sysfs');
  });

  it('keeps a PATH the caller set, and defaults cwd', () => {
    const spec = buildRuntimeSpec(input({ env: ['PATH=/x', 'A=b'], cwd: '' }));
    expect(spec.process.env).toEqual(['PATH=/x', 'A=b']);
    expect(spec.process.cwd).toBe('/');
  });

  it('adds and drops capabilities and rejects unknown ones', () => {
    const spec = buildRuntimeSpec(input({ capAdd: ['NET_ADMIN'], capDrop: ['CAP_CHOWN'] }));
    expect(spec.process.capabilities?.bounding).toContain('CAP_NET_ADMIN');
    expect(spec.process.capabilities?.effective).not.toContain('CAP_CHOWN');
    expect(buildRuntimeSpec(input({ capDrop: ['ALL'] })).process.capabilities?.bounding).toEqual([]);
    expect(() => buildRuntimeSpec(input({ capAdd: ['CAP_FOO'] }))).toThrow(new InvalidArgumentError('unknown capability: "CAP_FOO"'));
  });

  it('lets capabilities open the seccomp rules gated on them', () => {
    const spec = buildRuntimeSpec(input({ capAdd: ['SYS_ADMIN'] }));
    expect(spec.linux.seccomp?.syscalls?.some((s) => s.names.includes('mount'))).toBe(true);
  });

  it('privileged: host bounding set, every device, no masking, no seccomp, writable /sys', () => {
    const spec = buildRuntimeSpec(input({ privileged: true }));
    expect(spec.process.capabilities?.bounding).toEqual(HOST_CAPS);
    expect(spec.process.capabilities?.permitted).not.toContain('CAP_SYS_RESOURCE');
    expect(spec.linux.maskedPaths).toBeUndefined();
    expect(spec.linux.readonlyPaths).toBeUndefined();
    expect(spec.linux.seccomp).toBeUndefined();
    expect(spec.linux.resources?.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(spec.linux.devices).toEqual(HOST_DEVICES);
    expect(mountAt(spec.mounts, '/sys')?.options).toEqual(['nosuid', 'noexec', 'nodev']);
    expect(mountAt(spec.mounts, '/sys/fs/cgroup')?.options).toEqual(['nosuid', 'noexec', 'nodev']);
  });

  it('seccomp unconfined omits the profile; no-new-privileges is set', () => {
    const spec = buildRuntimeSpec(input({ seccomp: 'unconfined', noNewPrivileges: true }));
    expect(spec.linux.seccomp).toBeUndefined();
    expect(spec.process.noNewPrivileges).toBe(true);
  });

  it('applies a custom seccomp profile (not to privileged containers, as moby) and an AppArmor profile', () => {
    const profile = { defaultAction: 'SCMP_ACT_ALLOW' as const, syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' as const, errnoRet: 1 }] };
    const spec = buildRuntimeSpec(input({ seccomp: profile, apparmorProfile: 'berth-test' }));
    expect(spec.linux.seccomp).toMatchObject({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
    expect(spec.process.apparmorProfile).toBe('berth-test');
    const privileged = buildRuntimeSpec(input({ seccomp: profile, apparmorProfile: 'berth-test', privileged: true }));
    expect(privileged.linux.seccomp).toBeUndefined();
    expect(privileged.process.apparmorProfile).toBe('berth-test');
    expect(buildRuntimeSpec(input()).process.apparmorProfile).toBeUndefined();
  });

  it('read-only rootfs makes the root and the /etc files read-only but not the kernel filesystems', () => {
    const spec = buildRuntimeSpec(input({ readonlyRootfs: true }));
    expect(spec.root.readonly).toBe(true);
    expect(mountAt(spec.mounts, '/etc/hosts')?.options).toEqual(['rbind', 'ro', 'rprivate']);
    expect(mountAt(spec.mounts, '/dev/shm')?.options).not.toContain('ro');
    expect(mountAt(spec.mounts, '/proc')?.options).not.toContain('ro');
  });

  it('mounts tmpfs and extra mounts parents first, replacing defaults at the same path', () => {
    const spec = buildRuntimeSpec(
      input({
        shmSize: 1024 * 1024,
        tmpfs: { '/run': 'size=64m,mode=1777', '/dev/shm': 'size=8m' },
        mounts: [
          { destination: '/data/sub', type: 'bind', source: '/srv/sub', options: ['rbind'] },
          { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro'] },
          { destination: '/etc/hosts', type: 'bind', source: '/mine/hosts', options: ['rbind'] },
        ],
      }),
    );
    expect(destinations(spec.mounts)).toEqual([
      '/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue',
      '/data', '/run', '/data/sub', '/etc/hosts', '/dev/shm', '/etc/resolv.conf', '/etc/hostname',
    ]);
    expect(mountAt(spec.mounts, '/run')).toEqual({
      destination: '/run',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['noexec', 'nosuid', 'nodev', 'rprivate', 'size=64m', 'mode=1777'],
    });
    expect(mountAt(spec.mounts, '/dev/shm')?.options).toContain('size=8m');
    expect(mountAt(spec.mounts, '/etc/hosts')?.source).toBe('/mine/hosts');
  });

  it('uses the given shm size', () => {
    const spec = buildRuntimeSpec(input({ shmSize: 1024 * 1024 }));
    expect(mountAt(spec.mounts, '/dev/shm')?.options).toContain('size=1048576');
  });

  it('rejects two mounts on one path', () => {
    expect(() =>
      buildRuntimeSpec(input({ tmpfs: { '/data': '' }, mounts: [{ destination: '/data/', type: 'bind', source: '/x' }] })),
    ).toThrow(new InvalidArgumentError('Duplicate mount point: /data'));
  });

  it('a mount on /dev replaces the /dev defaults', () => {
    const spec = buildRuntimeSpec(input({ mounts: [{ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] }] }));
    expect(destinations(spec.mounts).filter((d) => d.startsWith('/dev'))).toEqual(['/dev']);
  });

  it('makes the rootfs rslave, or shared (not recursively) when a bind is shared, whatever the runtime defaults to', () => {
    const bind = (propagation: string) => ({ destination: '/y', type: 'bind', source: '/x', options: ['rbind', propagation] });
    expect(buildRuntimeSpec(input()).linux.rootfsPropagation).toBe('rslave');
    expect(buildRuntimeSpec(input({ mounts: [bind('rslave')] })).linux.rootfsPropagation).toBe('rslave');
    expect(buildRuntimeSpec(input({ mounts: [bind('rshared')] })).linux.rootfsPropagation).toBe('shared');
    expect(buildRuntimeSpec(input({ mounts: [bind('shared')] })).linux.rootfsPropagation).toBe('shared');
  });

  it('maps ulimits to rlimits within the engine limits', () => {
    const spec = buildRuntimeSpec(
      input({
        ulimits: [{ name: 'nofile', soft: 1024, hard: 4096 }, { name: 'nproc', soft: 100, hard: 200 }],
        hostLimits: { RLIMIT_NOFILE: { soft: 2000, hard: 2000 } },
      }),
    );
    expect(spec.process.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 2000, soft: 1024 },
      { type: 'RLIMIT_NPROC', hard: 200, soft: 100 },
    ]);
  });

  it('maps memory, cpu and pids limits', () => {
    const mem = 256 * 1024 * 1024;
    const spec = buildRuntimeSpec(input({ resources: { memory: mem, cpuShares: 512, nanoCpus: 1_500_000_000, pidsLimit: 100 } }));
    expect(spec.linux.resources?.memory).toEqual({ limit: mem, swap: mem * 2 });
    expect(spec.linux.resources?.cpu).toEqual({ shares: 512, period: 100000, quota: 150000 });
    expect(spec.linux.resources?.pids).toEqual({ limit: 100 });

    const explicit = buildRuntimeSpec(input({ resources: { memory: mem, memorySwap: -1, cpuQuota: 50000, cpuPeriod: 200000, pidsLimit: 0 } }));
    expect(explicit.linux.resources?.memory).toEqual({ limit: mem, swap: -1 });
    expect(explicit.linux.resources?.cpu).toEqual({ period: 200000, quota: 50000 });
    expect(explicit.linux.resources?.pids).toEqual({ limit: -1 });
    expect(buildRuntimeSpec(input({ resources: { cpuShares: 1 } })).linux.resources?.cpu).toEqual({ shares: 2 });
  });

  it('rejects inconsistent resources with Docker messages', () => {
    expect(() => buildRuntimeSpec(input({ resources: { memory: 1024 } }))).toThrow('Minimum memory limit allowed is 6MB');
    expect(() => buildRuntimeSpec(input({ resources: { memory: 64 << 20, memorySwap: 32 << 20 } }))).toThrow(
      'Minimum memoryswap limit should be larger than memory limit, see usage',
    );
    expect(() => buildRuntimeSpec(input({ resources: { nanoCpus: 1e9, cpuQuota: 1000 } }))).toThrow(
      'Conflicting options: Nano CPUs and CPU Quota cannot both be set',
    );
    expect(() => buildRuntimeSpec(input({ resources: { cpuPeriod: 10 } }))).toThrow(InvalidArgumentError);
  });

  it('validates sysctls and lets them override the defaults', () => {
    const spec = buildRuntimeSpec(input({ sysctls: { 'net.ipv4.ip_unprivileged_port_start': '1024', 'kernel.shmmax': '100' } }));
    expect(spec.linux.sysctl).toEqual({
      'net.ipv4.ping_group_range': '0 2147483647',
      'net.ipv4.ip_unprivileged_port_start': '1024',
      'kernel.shmmax': '100',
    });
    expect(() => buildRuntimeSpec(input({ sysctls: { 'kernel.panic': '1' } }))).toThrow(InvalidArgumentError);
    expect(() => buildRuntimeSpec(input({ namespaces: { network: 'host' }, sysctls: { 'net.ipv4.ip_forward': '1' } }))).toThrow(
      InvalidArgumentError,
    );
  });

  it('host and joined namespaces', () => {
    const host = buildRuntimeSpec(input({ namespaces: { network: 'host', pid: 'host', ipc: 'host', uts: 'host' } }));
    expect(host.linux.namespaces).toEqual([{ type: 'mount' }]);
    expect(host.hostname).toBeUndefined();
    expect(host.linux.sysctl).toBeUndefined();
    expect(mountAt(host.mounts, '/dev/shm')).toEqual({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });

    const joined = buildRuntimeSpec(input({ namespaces: { network: { path: '/run/netns/x' }, cgroup: 'private' } }));
    expect(joined.linux.namespaces).toContainEqual({ type: 'network', path: '/run/netns/x' });
    expect(joined.linux.namespaces).toContainEqual({ type: 'cgroup' });
    expect(joined.linux.sysctl).toBeDefined();

    const shared = buildRuntimeSpec(input({ namespaces: { network: { path: '/proc/42/ns/net', fromContainer: true } } }));
    expect(shared.linux.sysctl).toBeUndefined();
  });

  it('runs the command under the init and mounts it read-only', () => {
    const spec = buildRuntimeSpec(input({ init: { hostPath: '/usr/bin/tini-static' } }));
    expect(spec.process.args).toEqual(['/sbin/docker-init', '--', '/bin/sh', '-c', 'echo hi']);
    expect(mountAt(spec.mounts, '/sbin/docker-init')).toEqual({
      destination: '/sbin/docker-init',
      type: 'bind',
      source: '/usr/bin/tini-static',
      options: ['bind', 'ro'],
    });
    const hostPid = buildRuntimeSpec(input({ init: { hostPath: '/usr/bin/tini' }, namespaces: { network: 'none', pid: 'host' } }));
    expect(hostPid.process.args[0]).toBe('/bin/sh');
  });

  it('passes terminal, user, domainname, oom score and annotations through', () => {
    const spec = buildRuntimeSpec(
      input({
        terminal: true,
        user: { uid: 1000, gid: 1000, additionalGids: [1000, 27] },
        domainname: 'example.org',
        oomScoreAdj: 500,
        annotations: { 'org.example': 'yes' },
      }),
    );
    expect(spec.process.terminal).toBe(true);
    expect(spec.process.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 27] });
    expect(spec.domainname).toBe('example.org');
    expect(spec.linux?.sysctl?.['kernel.domainname']).toBe('example.org');
    expect(spec.process.oomScoreAdj).toBe(500);
    expect(spec.annotations).toEqual({ 'org.example': 'yes' });
  });

  it('sizes the terminal from the console size, only with a terminal and only when both sides are set', () => {
    expect(buildRuntimeSpec(input({ terminal: true, consoleSize: [33, 111] })).process.consoleSize).toEqual({ height: 33, width: 111 });
    expect(buildRuntimeSpec(input({ terminal: false, consoleSize: [33, 111] })).process).not.toHaveProperty('consoleSize');
    expect(buildRuntimeSpec(input({ terminal: true, consoleSize: [0, 111] })).process).not.toHaveProperty('consoleSize');
    expect(buildRuntimeSpec(input({ terminal: true, consoleSize: null })).process).not.toHaveProperty('consoleSize');
  });
});
