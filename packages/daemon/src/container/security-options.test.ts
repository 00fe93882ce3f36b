import { describe, expect, it } from 'vitest';
import type { HostSecurityModules } from '../ports.js';
import { parseSecurityOptions } from './security-options.js';

const bare: HostSecurityModules = { apparmor: false, selinux: false, isApparmorProfileLoaded: () => false };
const apparmorHost: HostSecurityModules = { apparmor: true, selinux: false, isApparmorProfileLoaded: (name) => name === 'berth-test' };
const selinuxHost: HostSecurityModules = { ...bare, selinux: true };

describe('parseSecurityOptions', () => {
  it('defaults to the default seccomp profile and no confinement beyond it', () => {
    expect(parseSecurityOptions([], bare)).toEqual({ noNewPrivileges: false, seccomp: 'default' });
  });

  it("reads moby's forms of no-new-privileges and seccomp", () => {
    expect(parseSecurityOptions(['no-new-privileges'], bare).noNewPrivileges).toBe(true);
    expect(parseSecurityOptions(['no-new-privileges=true', 'no-new-privileges:0'], bare).noNewPrivileges).toBe(false);
    expect(parseSecurityOptions(['seccomp=unconfined'], bare).seccomp).toBe('unconfined');
    expect(parseSecurityOptions(['seccomp:unconfined', 'seccomp=builtin'], bare).seccomp).toBe('default');
    const profile = parseSecurityOptions(['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}'], bare).seccomp;
    expect(profile).toMatchObject({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'] }] });
  });

  it("refuses malformed and unknown options with moby's messages", () => {
    expect(() => parseSecurityOptions(['seccomp'], bare)).toThrow('invalid --security-opt 1: "seccomp"');
    expect(() => parseSecurityOptions(['selinux=off'], bare)).toThrow('invalid --security-opt 2: "selinux=off"');
    expect(() => parseSecurityOptions(['no-new-privileges=maybe'], bare)).toThrow('invalid --security-opt 2: "no-new-privileges=maybe"');
    expect(() => parseSecurityOptions(['seccomp=/etc/profile.json'], bare)).toThrow(/^Decoding seccomp profile failed/);
  });

  it('applies a loaded AppArmor profile and refuses one it cannot apply', () => {
    expect(parseSecurityOptions(['apparmor=berth-test'], apparmorHost).apparmorProfile).toBe('berth-test');
    expect(parseSecurityOptions(['apparmor=unconfined'], apparmorHost).apparmorProfile).toBe('unconfined');
    expect(parseSecurityOptions(['apparmor=unconfined'], bare).apparmorProfile).toBeUndefined();
    expect(() => parseSecurityOptions(['apparmor=other'], apparmorHost)).toThrow('AppArmor profile "other" is not loaded on this host');
    expect(() => parseSecurityOptions(['apparmor=docker-default'], bare)).toThrow(
      'AppArmor is not enabled on this host: cannot apply the profile "docker-default" (only apparmor=unconfined is accepted)',
    );
  });

  it('accepts label=disable and says why other labels cannot be applied', () => {
    expect(parseSecurityOptions(['label=disable', 'disable'], bare)).toEqual({ noNewPrivileges: false, seccomp: 'default' });
    expect(() => parseSecurityOptions(['label=type:svirt_apache_t'], bare)).toThrow(
      'SELinux is not enabled on this host: cannot apply label=type:svirt_apache_t (only label=disable is accepted)',
    );
    expect(() => parseSecurityOptions(['label=level:s0:c100,c200'], selinuxHost)).toThrow(/^SELinux labels are not supported by this engine/);
  });
});
