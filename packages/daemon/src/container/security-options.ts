import { InvalidArgumentError } from '@berth/api';
import { parseSeccompProfile, type SpecInput } from '@berth/oci';
import type { HostSecurityModules } from '../ports.js';

/** A container's `--security-opt` settings, ready for the runtime spec. */
export interface SecurityOptions {
  noNewPrivileges: boolean;
  seccomp: NonNullable<SpecInput['seccomp']>;
  apparmorProfile?: string;
}

/** Go's strconv.ParseBool, which moby uses for `no-new-privileges=<bool>`. */
const GO_BOOLEANS: Record<string, boolean> = {
  '1': true, t: true, T: true, TRUE: true, true: true, True: true,
  '0': false, f: false, F: false, FALSE: false, false: false, False: false,
};

/**
 * Reads HostConfig.SecurityOpt as moby's parseSecurityOpt does (same keys, separators and messages for
 * malformed or unknown options), and refuses what this host or engine cannot apply instead of
 * dropping it: an AppArmor profile without AppArmor or not loaded, SELinux labels.
 */
export function parseSecurityOptions(options: readonly string[], host: HostSecurityModules): SecurityOptions {
  const parsed: SecurityOptions = { noNewPrivileges: false, seccomp: 'default' };
  for (const option of options) {
    if (option === 'no-new-privileges') {
      parsed.noNewPrivileges = true;
      continue;
    }
    if (option === 'disable') continue; // moby's shorthand for label=disable: containers get no label here anyway.
    const separator = option.includes('=') ? '=' : ':';
    const at = option.indexOf(separator);
    if (at < 0) throw new InvalidArgumentError(`invalid --security-opt 1: ${JSON.stringify(option)}`);
    const key = option.slice(0, at);
    const value = option.slice(at + 1);
    switch (key) {
      case 'seccomp':
        parsed.seccomp = seccompOf(value);
        break;
      case 'apparmor':
        parsed.apparmorProfile = apparmorProfileOf(value, host);
        break;
      case 'label':
        checkLabel(value, host);
        break;
      case 'no-new-privileges':
        if (!(value in GO_BOOLEANS)) throw new InvalidArgumentError(`invalid --security-opt 2: ${JSON.stringify(option)}`);
        parsed.noNewPrivileges = GO_BOOLEANS[value]!;
        break;
      default:
        throw new InvalidArgumentError(`invalid --security-opt 2: ${JSON.stringify(option)}`);
    }
  }
  return parsed;
}

/** moby's names: `unconfined`, `builtin` (or nothing) for the default profile, else the profile's JSON text. */
function seccompOf(value: string): SecurityOptions['seccomp'] {
  if (value === 'unconfined') return 'unconfined';
  if (value === '' || value === 'builtin') return 'default';
  return parseSeccompProfile(value);
}

function apparmorProfileOf(profile: string, host: HostSecurityModules): string | undefined {
  if (profile === '') return undefined;
  // Asked for explicitly, so that a container never inherits a profile berthd itself may run under;
  // a host without AppArmor confines nothing, so there it needs nothing.
  if (profile === 'unconfined') return host.apparmor ? 'unconfined' : undefined;
  if (!host.apparmor) {
    throw new InvalidArgumentError(`AppArmor is not enabled on this host: cannot apply the profile "${profile}" (only apparmor=unconfined is accepted)`);
  }
  if (!host.isApparmorProfileLoaded(profile)) {
    throw new InvalidArgumentError(`AppArmor profile "${profile}" is not loaded on this host: load it with apparmor_parser first`);
  }
  return profile;
}

function checkLabel(value: string, host: HostSecurityModules): void {
  if (value === 'disable') return;
  if (!host.selinux) {
    throw new InvalidArgumentError(`SELinux is not enabled on this host: cannot apply label=${value} (only label=disable is accepted)`);
  }
  throw new InvalidArgumentError(
    `SELinux labels are not supported by this engine: cannot apply label=${value}; containers run unlabeled, in berthd's own SELinux context (only label=disable is accepted)`,
  );
}
