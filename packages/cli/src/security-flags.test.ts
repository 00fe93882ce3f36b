import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compactJson, normalizeCapabilities, parseSecurityOpts, securityConfig, validateSysctl } from './security-flags.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-security-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('capabilities', () => {
  it('are normalised as the docker client does: CAP_ prefixed, upper case, unique, sorted', () => {
    expect(normalizeCapabilities(['net_admin', 'CAP_CHOWN', 'NET_ADMIN', 'all'])).toEqual(['ALL', 'CAP_CHOWN', 'CAP_NET_ADMIN']);
    expect(normalizeCapabilities([])).toBeNull();
  });
});

describe('validateSysctl', () => {
  it('allows the namespaced sysctls only', () => {
    expect(validateSysctl('net.ipv4.ip_forward=1')).toEqual(['net.ipv4.ip_forward', '1']);
    expect(validateSysctl('kernel.shmmax=10')).toEqual(['kernel.shmmax', '10']);
    expect(() => validateSysctl('kernel.foo=1')).toThrow("sysctl 'kernel.foo=1' is not allowed");
    expect(() => validateSysctl('net.x')).toThrow("sysctl 'net.x' is not allowed");
  });
});

describe('parseSecurityOpts', () => {
  it('sends a seccomp profile file compacted, and systempaths=unconfined as empty path lists', () => {
    const profile = join(dir, 'seccomp.json');
    writeFileSync(profile, '{ "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [] }\n');
    expect(parseSecurityOpts([`seccomp=${profile}`, 'systempaths=unconfined', 'no-new-privileges', 'label:disable'])).toEqual({
      SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}', 'no-new-privileges', 'label:disable'],
      MaskedPaths: [],
      ReadonlyPaths: [],
    });
    expect(parseSecurityOpts(['seccomp=unconfined']).SecurityOpt).toEqual(['seccomp=unconfined']);
    expect(parseSecurityOpts([])).toEqual({ SecurityOpt: null, MaskedPaths: null, ReadonlyPaths: null });
  });

  it('refuses what docker refuses', () => {
    expect(() => parseSecurityOpts(['foo'])).toThrow('Invalid --security-opt: "foo"');
    expect(() => parseSecurityOpts([`seccomp=${join(dir, 'none.json')}`])).toThrow(`opening seccomp profile (${join(dir, 'none.json')}) failed: open ${join(dir, 'none.json')}: no such file or directory`);
  });
});

describe('securityConfig', () => {
  it('checks namespace modes as docker/cli does', () => {
    expect(securityConfig({ pid: 'container:web', uts: 'host', userns: 'host', cgroupns: 'private', ipc: 'shareable' })).toMatchObject({ PidMode: 'container:web', UTSMode: 'host', UsernsMode: 'host', CgroupnsMode: 'private', IpcMode: 'shareable' });
    expect(() => securityConfig({ pid: 'container:' })).toThrow('--pid: invalid PID mode');
    expect(() => securityConfig({ uts: 'private' })).toThrow('--uts: invalid UTS mode');
    expect(() => securityConfig({ userns: 'x' })).toThrow('--userns: invalid USER mode');
    expect(() => securityConfig({ cgroupns: 'x' })).toThrow('--cgroupns: invalid CGROUP mode');
  });

  it('sends --init only when given', () => {
    expect(securityConfig({})).not.toHaveProperty('Init');
    expect(securityConfig({ init: false })).toMatchObject({ Init: false });
  });
});

describe('compactJson', () => {
  it("drops whitespace outside strings and keeps every token as written, as Go's json.Compact", () => {
    expect(compactJson('{ "a b" : [ 18446744073709551615 , "x\\" y" ],\n\t"c":1.50 }')).toBe('{"a b":[18446744073709551615,"x\\" y"],"c":1.50}');
  });
});
