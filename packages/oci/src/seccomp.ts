import { arch as hostArch, endianness, release } from 'node:os';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import type { LinuxSeccomp, LinuxSyscall } from './runtime-spec.js';
import { DEFAULT_SECCOMP_PROFILE, type SeccompProfile, type SeccompProfileRule } from './seccomp-default-profile.js';

export interface SeccompContext {
  /** The container's capabilities; rules gated on a capability apply only when it holds it. */
  capabilities?: readonly string[];
  /** Go GOARCH name (amd64, arm64, …); defaults to this host's. */
  arch?: string;
  /** Kernel release such as "6.1.0-18-amd64"; defaults to this host's. */
  kernel?: string;
}

/** Go GOARCH names by Node's `process.arch`, because the profile's conditions use Go's names. */
const GOARCH_BY_NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390x',
  s390: 's390',
  riscv64: 'riscv64',
  mips: 'mips',
  mipsel: 'mipsle',
  loong64: 'loong64',
};

const SECCOMP_ARCH_BY_GOARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  '386': 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64le: 'SCMP_ARCH_MIPSEL64',
  mips: 'SCMP_ARCH_MIPS',
  mipsle: 'SCMP_ARCH_MIPSEL',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
};

function hostGoArch(): string {
  const nodeArch = hostArch();
  if (nodeArch === 'ppc64') return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  if (nodeArch === 'mips64el') return 'mips64le';
  return GOARCH_BY_NODE_ARCH[nodeArch] ?? nodeArch;
}

/** Compares "major.minor" kernel versions; the release's suffix ("-18-amd64") is ignored. */
function kernelAtLeast(kernel: string, minimum: string): boolean {
  const parse = (v: string) => (/^(\d+)\.(\d+)/.exec(v) ?? ['', '0', '0']).slice(1).map(Number);
  const [major, minor] = parse(kernel);
  const [minMajor, minMinor] = parse(minimum);
  return major !== minMajor ? major > minMajor : minor >= minMinor;
}

function ruleApplies(rule: SeccompProfileRule, caps: readonly string[], arch: string, kernel: string): boolean {
  const { includes, excludes } = rule;
  if (includes?.arches && !includes.arches.includes(arch)) return false;
  if (includes?.caps && !includes.caps.every((c) => caps.includes(c))) return false;
  if (includes?.minKernel && !kernelAtLeast(kernel, includes.minKernel)) return false;
  if (excludes?.arches?.includes(arch)) return false;
  if (excludes?.caps?.some((c) => caps.includes(c))) return false;
  return true;
}

/** Turns a conditional profile into the runtime-spec form for one container, as moby's setupSeccomp does. */
export function resolveSeccompProfile(profile: SeccompProfile, context: SeccompContext = {}): LinuxSeccomp {
  const caps = context.capabilities ?? DEFAULT_CAPABILITIES;
  const arch = context.arch ?? hostGoArch();
  const kernel = context.kernel ?? release();
  const nativeArch = SECCOMP_ARCH_BY_GOARCH[arch];
  const architectures = profile.archMap
    .filter((entry) => entry.architecture === nativeArch)
    .flatMap((entry) => [entry.architecture, ...entry.subArchitectures]);
  const syscalls = profile.syscalls
    .filter((rule) => ruleApplies(rule, caps, arch, kernel))
    .map((rule): LinuxSyscall => {
      const syscall: LinuxSyscall = { names: [...rule.names], action: rule.action };
      if (rule.errnoRet !== undefined) syscall.errnoRet = rule.errnoRet;
      if (rule.args) syscall.args = rule.args.map((a) => ({ ...a }));
      return syscall;
    });
  return { defaultAction: profile.defaultAction, defaultErrnoRet: profile.defaultErrnoRet, architectures, syscalls };
}

/** Docker's default seccomp profile, resolved for a container (default: Docker's default capabilities on this host). */
export function defaultSeccompProfile(context: SeccompContext = {}): LinuxSeccomp {
  return resolveSeccompProfile(DEFAULT_SECCOMP_PROFILE, context);
}
