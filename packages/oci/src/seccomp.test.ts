import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import type { LinuxSeccomp } from './runtime-spec.js';
import { defaultSeccompProfile, parseSeccompProfile, resolveSeccompProfile } from './seccomp.js';

const AMD64 = { arch: 'amd64', kernel: '6.1.0-18-amd64' };

function rulesFor(profile: LinuxSeccomp, name: string) {
  return (profile.syscalls ?? []).filter((rule) => rule.names.includes(name));
}

describe('defaultSeccompProfile', () => {
  const profile = defaultSeccompProfile({ ...AMD64, capabilities: DEFAULT_CAPABILITIES });

  it('denies by default with EPERM and covers the native and compat architectures', () => {
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.defaultErrnoRet).toBe(1);
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(defaultSeccompProfile({ arch: 'arm64', kernel: '6.1' }).architectures).toEqual([
      'SCMP_ARCH_AARCH64',
      'SCMP_ARCH_ARM',
    ]);
  });

  it('allows ordinary syscalls and leaves dangerous ones denied', () => {
    for (const name of ['read', 'write', 'openat', 'execve', 'futex', 'epoll_wait', 'arch_prctl', 'chroot']) {
      expect(rulesFor(profile, name), name).toHaveLength(1);
      expect(rulesFor(profile, name)[0].action).toBe('SCMP_ACT_ALLOW');
    }
    for (const name of ['keyctl', 'add_key', 'request_key', 'kexec_load', 'mount', 'unshare', 'setns', 'reboot', 'bpf']) {
      expect(rulesFor(profile, name), name).toEqual([]);
    }
  });

  it('restricts clone to no namespace flags and makes clone3 fail with ENOSYS', () => {
    expect(rulesFor(profile, 'clone')).toEqual([
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      },
    ]);
    expect(rulesFor(profile, 'clone3')).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
  });

  it('allows only harmless personality values and blocks AF_VSOCK sockets', () => {
    expect(rulesFor(profile, 'personality').map((r) => r.args?.[0].value)).toEqual([0, 8, 131072, 131080, 4294967295]);
    expect(rulesFor(profile, 'socket')[0].args).toEqual([{ index: 0, value: 40, valueTwo: 0, op: 'SCMP_CMP_NE' }]);
  });

  it('opens syscalls gated on capabilities the container holds', () => {
    const admin = defaultSeccompProfile({ ...AMD64, capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'] });
    expect(rulesFor(admin, 'mount')).toHaveLength(1);
    expect(rulesFor(admin, 'unshare')).toHaveLength(1);
    expect(rulesFor(admin, 'clone')).toEqual([expect.objectContaining({ names: expect.arrayContaining(['mount']) })]);
    expect(rulesFor(admin, 'clone3')[0].action).toBe('SCMP_ACT_ALLOW');

    const ptrace = defaultSeccompProfile({ ...AMD64, capabilities: ['CAP_SYS_PTRACE'] });
    expect(rulesFor(ptrace, 'kcmp')).toHaveLength(1);
    expect(rulesFor(profile, 'kcmp')).toEqual([]);
    expect(rulesFor(ptrace, 'chroot')).toEqual([]);
  });

  it('applies architecture and kernel conditions', () => {
    expect(rulesFor(defaultSeccompProfile({ arch: 'arm64', kernel: '6.1' }), 'arch_prctl')).toEqual([]);
    expect(rulesFor(defaultSeccompProfile({ arch: 's390x', kernel: '6.1' }), 'clone')[0].args?.[0].index).toBe(1);
    expect(rulesFor(defaultSeccompProfile({ ...AMD64, kernel: '4.4.0' }), 'ptrace')).toEqual([]);
    expect(rulesFor(profile, 'ptrace')).toHaveLength(1);
  });

  it("defaults to this host's architecture", () => {
    expect(defaultSeccompProfile().architectures?.length).toBeGreaterThan(0);
  });
});

describe('custom seccomp profiles (Docker format)', () => {
  const denyMkdir = JSON.stringify({
    defaultAction: 'SCMP_ACT_ALLOW',
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
    syscalls: [
      { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, comment: 'no new directories' },
      { name: 'chmod', action: 'SCMP_ACT_ERRNO', includes: { arches: ['arm64'] } },
      { names: ['reboot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_BOOT'] } },
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', excludes: { minKernel: '4.8' } },
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }] },
    ],
  });

  it('converts to the runtime-spec form for the host architecture and the container', () => {
    const profile = resolveSeccompProfile(parseSeccompProfile(denyMkdir), { ...AMD64, capabilities: DEFAULT_CAPABILITIES });
    expect(profile).toEqual({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
        { names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 9, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
      ],
    });
    const onArm = resolveSeccompProfile(parseSeccompProfile(denyMkdir), { arch: 'arm64', kernel: '4.4', capabilities: ['CAP_SYS_BOOT'] });
    expect(onArm.architectures).toEqual([]);
    expect(onArm.syscalls?.map((s) => s.names[0])).toEqual(['mkdir', 'chmod', 'reboot', 'ptrace', 'kill']);
  });

  it('keeps explicit architectures, defaultErrnoRet and flags', () => {
    const profile = parseSeccompProfile(
      JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, architectures: ['SCMP_ARCH_X86_64'], flags: ['SECCOMP_FILTER_FLAG_LOG'], syscalls: null }),
    );
    expect(resolveSeccompProfile(profile, AMD64)).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      architectures: ['SCMP_ARCH_X86_64'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [],
    });
  });

  it.each([
    ['not JSON', '/etc/profile.json', /^Decoding seccomp profile failed: .*the docker CLI reads the file for you\)$/],
    ['truncated JSON', '{"defaultAction":', /^Decoding seccomp profile failed: /],
    ['no defaultAction', '{"syscalls":[]}', /^invalid seccomp profile: defaultAction is required/],
    ['an unknown action', '{"defaultAction":"SCMP_ACT_DENY"}', /^invalid seccomp profile: defaultAction must be a seccomp action \(SCMP_ACT_KILL, /],
    ['an unknown architecture', '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["x86_64"]}', /architectures\[0\] must be a seccomp architecture/],
    ['an argument index past 5', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}', /syscalls\[0\]\.args\[0\]\.index must be a syscall argument index from 0 to 5/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseSeccompProfile(text)).toThrow(message);
  });

  it.each([
    ['name and names', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'mkdir', names: ['rmdir'], action: 'SCMP_ACT_ERRNO' }] }, "use either 'name' or 'names'"],
    ['a rule without a syscall', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ERRNO' }] }, 'a syscall rule names no syscall'],
    ['architectures and archMap', { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] }] }, "use either 'architectures' or 'archMap'"],
    ['SCMP_ACT_NOTIFY', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] }, 'SCMP_ACT_NOTIFY needs a seccomp agent'],
    ['a listenerPath', { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock' }, 'listenerPath (a seccomp agent) is not supported'],
  ])('refuses a profile with %s', (_what, profile, message) => {
    expect(() => resolveSeccompProfile(parseSeccompProfile(JSON.stringify(profile)), AMD64)).toThrow(message);
  });
});
