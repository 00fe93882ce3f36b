import { arch as hostArch, endianness, release } from 'node:os';
import {
  InvalidArgumentError,
  SeccompProfileSchema,
  assertMatchesSchema,
  type SeccompFilter,
  type SeccompProfile,
  type SeccompRule,
} from '@berth/api';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import type { LinuxSeccomp, LinuxSyscall } from './runtime-spec.js';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default-profile.js';

export interface SeccompContext {
  /** The container's capabilities; rules gated on a capability apply only when it holds it. */
  capabilities?: readonly string[];
  /** libseccomp's name of the architecture (amd64, x86, arm64, …), as profile conditions spell it; defaults to this host's. */
  arch?: string;
  /** Kernel release such as "6.1.0-18-amd64"; defaults to this host's. */
  kernel?: string;
}

/** libseccomp's architecture names by Node's `process.arch` (moby's goToNative, from Go's names). */
const NATIVE_ARCH_BY_NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: 'x86',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390x',
  s390: 's390',
  riscv64: 'riscv64',
  mips: 'mips',
  mipsel: 'mipsel',
  ppc: 'ppc',
  loong64: 'loong64',
};

const SECCOMP_ARCH_BY_NATIVE: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  x86: 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mips3l64n32: 'SCMP_ARCH_MIPSEL64N32',
  mips: 'SCMP_ARCH_MIPS',
  mipsel: 'SCMP_ARCH_MIPSEL',
  ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};

function hostNativeArch(): string {
  const nodeArch = hostArch();
  if (nodeArch === 'ppc64') return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return NATIVE_ARCH_BY_NODE_ARCH[nodeArch] ?? nodeArch;
}

/** Compares "major.minor" kernel versions; the release's suffix ("-18-amd64") is ignored. */
function kernelAtLeast(kernel: string, minimum: string): boolean {
  const parse = (v: string) => (/^(\d+)\.(\d+)/.exec(v) ?? ['', '0', '0']).slice(1).map(Number);
  const [major, minor] = parse(kernel);
  const [minMajor, minMinor] = parse(minimum);
  return major !== minMajor ? major > minMajor : minor >= minMinor;
}

interface RuleHost {
  caps: readonly string[];
  arch: string;
  kernel: string;
}

function matchesAll(filter: SeccompFilter, host: RuleHost): boolean {
  if (filter.arches?.length && !filter.arches.includes(host.arch)) return false;
  if (filter.caps?.length && !filter.caps.every((c) => host.caps.includes(c))) return false;
  return !filter.minKernel || kernelAtLeast(host.kernel, filter.minKernel);
}

function matchesAny(filter: SeccompFilter, host: RuleHost): boolean {
  if (filter.arches?.includes(host.arch)) return true;
  if (filter.caps?.some((c) => host.caps.includes(c))) return true;
  return !!filter.minKernel && kernelAtLeast(host.kernel, filter.minKernel);
}

/** moby's rule conditions: every `includes` condition must hold and no `excludes` one may. */
function ruleApplies(rule: SeccompRule, host: RuleHost): boolean {
  return (!rule.includes || matchesAll(rule.includes, host)) && !(rule.excludes && matchesAny(rule.excludes, host));
}

function syscallOf(rule: SeccompRule): LinuxSyscall {
  if (rule.name && rule.names?.length) {
    throw new InvalidArgumentError("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
  }
  const names = rule.name ? [rule.name] : (rule.names ?? []);
  if (names.length === 0) throw new InvalidArgumentError('invalid seccomp profile: a syscall rule names no syscall');
  refuseNotify(rule.action);
  const syscall: LinuxSyscall = { names: [...names], action: rule.action };
  if (rule.errnoRet !== undefined && rule.errnoRet !== null) syscall.errnoRet = rule.errnoRet;
  if (rule.args?.length) syscall.args = rule.args.map(({ index, value, valueTwo, op }) => ({ index, value, valueTwo: valueTwo ?? 0, op }));
  return syscall;
}

/** SCMP_ACT_NOTIFY hands syscalls to a seccomp agent (listenerPath), which this engine does not run. */
function refuseNotify(action: string): void {
  if (action === 'SCMP_ACT_NOTIFY') {
    throw new InvalidArgumentError('invalid seccomp profile: SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath), which this engine does not support');
  }
}

function architecturesOf(profile: SeccompProfile, nativeArch: string): string[] {
  const listed = profile.architectures ?? [];
  const archMap = profile.archMap ?? [];
  if (listed.length > 0 && archMap.length > 0) {
    throw new InvalidArgumentError("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  if (listed.length > 0) return [...listed];
  const native = SECCOMP_ARCH_BY_NATIVE[nativeArch];
  return archMap.filter((entry) => entry.architecture === native).flatMap((entry) => [entry.architecture, ...(entry.subArchitectures ?? [])]);
}

/** Turns a profile in Docker's format into the runtime-spec form for one container, as moby's setupSeccomp does. */
export function resolveSeccompProfile(profile: SeccompProfile, context: SeccompContext = {}): LinuxSeccomp {
  if (profile.listenerPath) {
    throw new InvalidArgumentError('invalid seccomp profile: listenerPath (a seccomp agent) is not supported by this engine');
  }
  refuseNotify(profile.defaultAction);
  const arch = context.arch ?? hostNativeArch();
  const host: RuleHost = { caps: context.capabilities ?? DEFAULT_CAPABILITIES, arch, kernel: context.kernel ?? release() };
  const seccomp: LinuxSeccomp = {
    defaultAction: profile.defaultAction,
    architectures: architecturesOf(profile, arch),
    syscalls: (profile.syscalls ?? []).filter((rule) => ruleApplies(rule, host)).map(syscallOf),
  };
  if (profile.defaultErrnoRet !== undefined && profile.defaultErrnoRet !== null) seccomp.defaultErrnoRet = profile.defaultErrnoRet;
  if (profile.flags?.length) seccomp.flags = [...profile.flags];
  return seccomp;
}

/** Docker's default seccomp profile, resolved for a container (default: Docker's default capabilities on this host). */
export function defaultSeccompProfile(context: SeccompContext = {}): LinuxSeccomp {
  return resolveSeccompProfile(DEFAULT_SECCOMP_PROFILE, context);
}

/**
 * Reads the profile that `--security-opt seccomp=<profile.json>` carries: the docker CLI reads the
 * file and sends its JSON text, so a value that is not JSON (a path, say) is refused, as by moby.
 */
export function parseSeccompProfile(text: string): SeccompProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const hint = text.trimStart().startsWith('{') ? '' : ' (seccomp=<value> takes the profile itself as JSON text; the docker CLI reads the file for you)';
    throw new InvalidArgumentError(`Decoding seccomp profile failed: ${(err as Error).message}${hint}`);
  }
  return assertMatchesSchema(SeccompProfileSchema, parsed, 'invalid seccomp profile');
}
