import { existsSync, readFileSync } from 'node:fs';
import type { HostSecurityModules } from '../ports.js';

const APPARMOR_FS = '/sys/kernel/security/apparmor';

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Profile names from `<securityfs>/apparmor/profiles`, whose lines read "name (mode)". */
export function parseApparmorProfiles(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.replace(/ \([^()]*\)$/, '').trim())
      .filter((name) => name !== ''),
  );
}

let enabled: { apparmor: boolean; selinux: boolean } | undefined;

/**
 * The running kernel's modules, detected as moby does (AppArmor: securityfs plus the module's
 * `enabled` parameter; SELinux: a mounted selinuxfs). Loaded profiles are read when asked, as they
 * change while the daemon runs.
 */
export const hostSecurityModules: HostSecurityModules = {
  get apparmor() {
    enabled ??= detect();
    return enabled.apparmor;
  },
  get selinux() {
    enabled ??= detect();
    return enabled.selinux;
  },
  isApparmorProfileLoaded: (name) => parseApparmorProfiles(readOr(`${APPARMOR_FS}/profiles`, '')).has(name),
};

function detect(): { apparmor: boolean; selinux: boolean } {
  return {
    apparmor: existsSync(APPARMOR_FS) && readOr('/sys/module/apparmor/parameters/enabled', '').startsWith('Y'),
    selinux: existsSync('/sys/fs/selinux/enforce'),
  };
}
