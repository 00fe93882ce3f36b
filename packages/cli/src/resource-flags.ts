import { Option, type Command } from 'commander';
import { InvalidArgumentError, type HostConfig } from '@berth/api';
import { FlagValueError } from './flag-value-error.js';
import { goQuote } from './format/go-quote.js';
import { collect } from './repeatable-flags.js';

const BINARY_MULTIPLIERS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes, which docker uses for every size flag: "32m", "1.5g", "512 KiB", "64MB" (binary units). */
export function ramInBytes(text: string): number {
  const sep = Math.max(...[...'0123456789. '].map((c) => text.lastIndexOf(c)));
  if (sep < 0) throw new Error(`invalid size: '${text}'`);
  const num = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  const suffix = text.slice(sep + 1).toLowerCase();
  const size = goParseFloat(num);
  if (size < 0) throw new Error(`invalid size: '${text}'`);
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const multiplier = BINARY_MULTIPLIERS[suffix[0]!];
  if (suffix.length > 3 || multiplier === undefined || (suffix.length === 2 && suffix[1] !== 'b') || (suffix.length === 3 && suffix.slice(1) !== 'ib')) {
    throw new Error(`invalid suffix: '${suffix}'`);
  }
  return Math.trunc(size * multiplier);
}

/** Go's strconv.ParseFloat for the decimal forms a size can take, with its message. */
function goParseFloat(text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`strconv.ParseFloat: parsing ${goQuote(text)}: invalid syntax`);
  return Number(text);
}

/** A size for `docker update`, where -1 (unlimited swap) is allowed. */
export function parseRamBytes(text: string): number {
  if (text === '-1') return -1;
  try {
    return ramInBytes(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** docker/cli opts.ParseCPUs: `--cpus 1.5` as the API's NanoCpus, exact or refused. */
export function parseCpus(text: string): number {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new Error(`failed to parse ${text} as a rational number`);
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > 9) throw new Error('value is too precise');
  const nano = Number(match[2] || '0') * 1e9 + Number(fraction.padEnd(9, '0'));
  return match[1] === '-' ? -nano : nano;
}

/** `--cpus` for `docker update`. */
export function parseNanoCpus(text: string): number {
  try {
    return parseCpus(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** docker's `--restart name[:count]` split into the API object; the daemon validates it. */
export function parseRestartFlag(text: string): { Name: string; MaximumRetryCount: number } {
  const [name = '', count] = text.split(':', 2);
  const retries = count === undefined || count === '' ? 0 : Number(count);
  if (!Number.isInteger(retries)) throw new InvalidArgumentError('invalid restart policy format: maximum retry count must be an integer');
  return { Name: name, MaximumRetryCount: retries };
}

/** An integer flag, with docker's message when it is not one. */
export function parseIntFlag(text: string, flag: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new FlagValueError(flag, text, `strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`);
  return Number(text);
}

/** An unsigned integer flag of `bits` bits (pflag's Uint16/Uint64), with strconv's messages. */
function parseUintFlag(text: string, flag: string, bits: 16 | 64): number {
  if (!/^\d+$/.test(text)) throw new FlagValueError(flag, text, `strconv.ParseUint: parsing ${goQuote(text)}: invalid syntax`);
  if (BigInt(text) >= 2n ** BigInt(bits)) throw new FlagValueError(flag, text, `strconv.ParseUint: parsing ${goQuote(text)}: value out of range`);
  return Number(text);
}

/** A size flag: go-units' message as pflag reports a bad value. */
function sizeFlag(text: string | undefined, flag: string): number {
  return text === undefined ? 0 : checked(flag, [text], ramInBytes)[0]!;
}

const ULIMIT_NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

export interface Ulimit {
  Name: string;
  Hard: number;
  Soft: number;
}

/** go-units ParseUlimit: `nofile=1024[:2048]`. */
export function parseUlimit(text: string): Ulimit {
  const eq = text.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${text}`);
  const name = text.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const values = text.slice(eq + 1).split(':');
  if (values.length > 2) throw new Error(`too many limit value arguments - ${text.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const int = (value: string): number => {
    if (!/^[+-]?\d+$/.test(value)) throw new Error(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
    return Number(value);
  };
  const hard = values.length === 2 ? int(values[1]!) : undefined;
  const soft = int(values[0]!);
  const limit = hard ?? soft;
  if (limit !== -1) {
    if (soft === -1) throw new Error(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${limit}`);
    if (soft > limit) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${limit}`);
  }
  return { Name: name, Hard: limit, Soft: soft };
}

/** The run/create flags for memory, CPU, pids and ulimits. */
export interface ResourceFlags {
  cgroupParent?: string;
  cpuShares?: string;
  memory?: string;
  cpus?: string;
  blkioWeight?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpuRtPeriod?: string;
  cpuRtRuntime?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  kernelMemory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  memorySwappiness?: string;
  oomKillDisable?: boolean;
  oomScoreAdj?: string;
  pidsLimit?: string;
  ulimit?: string[];
  cpuCount?: string;
  cpuPercent?: string;
  ioMaxiops?: string;
  ioMaxbandwidth?: string;
  shmSize?: string;
}

export function withResourceOptions(command: Command): Command {
  // docker hides its Windows-only flags from the help of a Linux engine's CLI.
  for (const [flags, usage] of [
    ['--cpu-count <int>', 'CPU count (Windows only)'],
    ['--cpu-percent <int>', 'CPU percent (Windows only)'],
    ['--io-maxbandwidth <bytes>', 'Maximum IO bandwidth limit for the system drive (Windows only)'],
    ['--io-maxiops <uint>', 'Maximum IOps limit for the system drive (Windows only)'],
  ] as const) command.addOption(new Option(flags, usage).hideHelp());
  return command
    .option('--blkio-weight <uint16>', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)')
    .option('--cgroup-parent <string>', 'Optional parent cgroup for the container')
    .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
    .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
    .option('--cpu-rt-period <int>', 'Limit CPU real-time period in microseconds')
    .option('--cpu-rt-runtime <int>', 'Limit CPU real-time runtime in microseconds')
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('--kernel-memory <bytes>', 'Kernel memory limit')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--memory-swappiness <int>', 'Tune container memory swappiness (0 to 100) (default -1)')
    .option('--oom-kill-disable', 'Disable OOM Killer')
    .option('--oom-score-adj <int>', "Tune host's OOM preferences (-1000 to 1000)")
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--ulimit <ulimit>', 'Ulimit options (default [])', collect, []);
}

/** docker's flags for a Windows engine (its `ostype` annotation): the first one given, which berth's Linux engine refuses. */
export function windowsOnlyFlag(flags: ResourceFlags): string | undefined {
  // pflag refuses a bad value first.
  if (flags.cpuCount !== undefined) parseIntFlag(flags.cpuCount, '--cpu-count');
  if (flags.cpuPercent !== undefined) parseIntFlag(flags.cpuPercent, '--cpu-percent');
  if (flags.ioMaxiops !== undefined) parseUintFlag(flags.ioMaxiops, '--io-maxiops', 64);
  sizeFlag(flags.ioMaxbandwidth, '--io-maxbandwidth');
  const given = { 'cpu-count': flags.cpuCount, 'cpu-percent': flags.cpuPercent, 'io-maxbandwidth': flags.ioMaxbandwidth, 'io-maxiops': flags.ioMaxiops };
  const name = Object.entries(given).find(([, value]) => value !== undefined)?.[0];
  return name && `"--${name}" is only supported on a Docker daemon running on windows, but the Docker daemon is running on linux`;
}

/** The resource fields of the HostConfig docker/cli sends for these flags, its zero values included. */
export function resourceConfig(flags: ResourceFlags): HostConfig {
  const int = (text: string | undefined, flag: string): number => (text === undefined ? 0 : parseIntFlag(text, flag));
  const swappiness = int(flags.memorySwappiness ?? '-1', '--memory-swappiness');
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) throw new InvalidArgumentError(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);
  // go-units keeps the last limit of each name; docker sends them sorted by name.
  const ulimits = new Map(checked('--ulimit', flags.ulimit ?? [], parseUlimit).map((limit) => [limit.Name, limit]));
  // --kernel-memory is checked, then dropped: the docker CLI 28 zeroes KernelMemory for API 1.42 and later.
  sizeFlag(flags.kernelMemory, '--kernel-memory');
  return {
    CpuShares: int(flags.cpuShares, '-c, --cpu-shares'),
    Memory: sizeFlag(flags.memory, '-m, --memory'),
    NanoCpus: flags.cpus === undefined ? 0 : checked('--cpus', [flags.cpus], parseCpus)[0],
    CgroupParent: flags.cgroupParent ?? '',
    BlkioWeight: flags.blkioWeight === undefined ? 0 : parseUintFlag(flags.blkioWeight, '--blkio-weight', 16),
    CpuPeriod: int(flags.cpuPeriod, '--cpu-period'),
    CpuQuota: int(flags.cpuQuota, '--cpu-quota'),
    CpuRealtimePeriod: int(flags.cpuRtPeriod, '--cpu-rt-period'),
    CpuRealtimeRuntime: int(flags.cpuRtRuntime, '--cpu-rt-runtime'),
    CpusetCpus: flags.cpusetCpus ?? '',
    CpusetMems: flags.cpusetMems ?? '',
    MemoryReservation: sizeFlag(flags.memoryReservation, '--memory-reservation'),
    MemorySwap: flags.memorySwap === '-1' ? -1 : sizeFlag(flags.memorySwap, '--memory-swap'),
    MemorySwappiness: swappiness,
    OomKillDisable: Boolean(flags.oomKillDisable),
    PidsLimit: int(flags.pidsLimit, '--pids-limit'),
    Ulimits: [...ulimits.values()].sort((a, b) => (a.Name < b.Name ? -1 : 1)),
    CpuCount: int(flags.cpuCount, '--cpu-count'),
    CpuPercent: int(flags.cpuPercent, '--cpu-percent'),
    IOMaximumIOps: flags.ioMaxiops === undefined ? 0 : parseUintFlag(flags.ioMaxiops, '--io-maxiops', 64),
    IOMaximumBandwidth: sizeFlag(flags.ioMaxbandwidth, '--io-maxbandwidth'),
    OomScoreAdj: int(flags.oomScoreAdj, '--oom-score-adj'),
    ShmSize: sizeFlag(flags.shmSize, '--shm-size'),
  };
}

/** Each value of a flag through its parser, a failure reported as pflag reports a bad value of `flag`. */
export function checked<T>(flag: string, values: string[], parse: (value: string) => T): T[] {
  return values.map((value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new FlagValueError(flag, value, (err as Error).message);
    }
  });
}
