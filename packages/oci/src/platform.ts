import { InvalidArgumentError } from '@berth/api';
import type { Platform } from './image-spec.js';

// containerd's platform specifiers (`os[/arch[/variant]]`), as the Engine API's `platform` parameters
// take them: parsed, normalised and matched the way moby does with containerd/platforms.

/** Go's GOARCH for Node's `process.arch`. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };

/** The engine host's architecture in OCI (Go) terms. */
export const HOST_ARCHITECTURE = GO_ARCH[process.arch] ?? process.arch;

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
const KNOWN_ARCH = new Set([
  ...['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le'],
  ...['mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm'],
]);
const COMPONENT = /^[A-Za-z0-9_-]+$/;
const OS_COMPONENT = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)\))?$/;

/** Parses a specifier such as `linux/arm64`, `amd64` or `linux/arm/v7`, with containerd's messages for bad ones. */
export function parsePlatform(specifier: string): Platform {
  const invalid = (why: string) => new InvalidArgumentError(`${why}: invalid argument`);
  if (specifier.includes('*')) throw invalid(`${JSON.stringify(specifier)}: wildcards not yet supported`);
  const parts = splitN(specifier, '/', 4);
  const osPart = OS_COMPONENT.exec(parts[0]!);
  if (!osPart) {
    throw invalid(`${JSON.stringify(parts[0])} is an invalid OS component of ${JSON.stringify(specifier)}: OSAndVersion specifier component must match "${OS_COMPONENT.source}"`);
  }
  for (const part of parts.slice(1)) {
    if (!COMPONENT.test(part)) {
      throw invalid(`${JSON.stringify(part)} is an invalid component of ${JSON.stringify(specifier)}: platform specifier component must match "${COMPONENT.source}"`);
    }
  }
  const os = normalizeOs(osPart[1]!);
  const osVersion = osPart[2] ? { 'os.version': osPart[2] } : {};
  switch (parts.length) {
    case 1: {
      if (KNOWN_OS.has(os)) return { os, architecture: HOST_ARCHITECTURE, ...osVersion };
      const [architecture, variant] = normalizeArch(parts[0]!, '');
      if (KNOWN_ARCH.has(architecture)) return withVariant({ os: 'linux', architecture }, architecture === 'arm' && variant === 'v7' ? '' : variant);
      throw invalid(`${JSON.stringify(specifier)}: unknown operating system or architecture`);
    }
    case 2: {
      const [architecture, variant] = normalizeArch(parts[1]!, '');
      return withVariant({ os, architecture, ...osVersion }, architecture === 'arm' && variant === 'v7' ? '' : variant);
    }
    case 3: {
      const [architecture, variant] = normalizeArch(parts[1]!, parts[2]!);
      return withVariant({ os, architecture, ...osVersion }, architecture === 'arm64' && variant === '' ? 'v8' : variant);
    }
    default:
      throw invalid(`${JSON.stringify(specifier)}: cannot parse platform specifier`);
  }
}

/** `os/arch[/variant]`, as moby names a platform in messages. */
export function formatPlatform(platform: Pick<Platform, 'os' | 'architecture' | 'variant'>): string {
  if (!platform.os) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter((part) => part).join('/');
}

/**
 * Whether an image of platform `image` serves a request for `wanted`: containerd's `platforms.Only`
 * (an amd64/v3 request takes v2, v1 and 386 images; arm64 takes arm v8 down to v5) with moby's
 * fallback for image configs that name no variant.
 */
export function platformMatches(wanted: Platform, image: Pick<Platform, 'os' | 'architecture' | 'variant'>): boolean {
  const have = normalize(image);
  if (compatible(normalize(wanted)).map(normalize).some((p) => p.os === have.os && p.architecture === have.architecture && p.variant === have.variant)) return true;
  if (image.variant) return false;
  const want = normalize(wanted);
  return want.os === have.os && want.architecture === have.architecture;
}

type Key = { os: string; architecture: string; variant: string };

function normalize(platform: Pick<Platform, 'os' | 'architecture' | 'variant'>): Key {
  const [architecture, variant] = normalizeArch(platform.architecture, platform.variant ?? '');
  return { os: normalizeOs(platform.os), architecture, variant };
}

/** containerd's platformVector: the platform itself, then what it can also run. */
function compatible(p: Key): Key[] {
  const below = (arch: string, from: number, downTo: number): Key[] =>
    Array.from({ length: Math.max(0, from - downTo) }, (_, i) => ({ os: p.os, architecture: arch, variant: `v${from - 1 - i}` }));
  const version = (variant: string): number => (/^v?\d+$/.test(variant) ? Number(variant.replace(/^v/, '')) : NaN);
  switch (p.architecture) {
    case 'amd64': {
      const v = version(p.variant);
      return [p, ...(v > 1 ? below('amd64', v, 1) : []), { os: p.os, architecture: '386', variant: '' }];
    }
    case 'arm': {
      const v = version(p.variant);
      return [p, ...(v > 5 ? below('arm', v, 5) : [])];
    }
    case 'arm64':
      return [p, ...compatible({ os: p.os, architecture: 'arm', variant: p.variant || 'v8' })];
    default:
      return [p];
  }
}

function normalizeOs(os: string): string {
  if (os === '') return 'linux';
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArch(arch: string, variant: string): [string, string] {
  const a = arch.toLowerCase();
  const v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', v === 'v1' ? '' : v];
    case 'aarch64':
    case 'arm64':
      return ['arm64', v === '8' || v === 'v8' ? '' : v];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (v === '' || v === '7') return ['arm', 'v7'];
      return ['arm', v === '5' || v === '6' || v === '8' ? `v${v}` : v];
    default:
      return [a, v];
  }
}

function withVariant(platform: Platform, variant: string): Platform {
  return variant ? { ...platform, variant } : platform;
}

/** Go's strings.SplitN. */
function splitN(text: string, separator: string, n: number): string[] {
  const parts = text.split(separator);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(separator)];
}
