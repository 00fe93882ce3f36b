import { InvalidArgumentError } from '@berth/api';
import type { BuildOptions } from '@berth/client';
import { FlagValueError, validateEach } from './flag-value-error.js';
import { keyValueMap } from './ipam-flags.js';
import { validateLabel } from './repeatable-flags.js';

/** The flags of `berth build` as commander hands them over. */
export interface BuildFlags {
  tag: string[];
  file?: string;
  buildArg: string[];
  label: string[];
  noCache?: boolean;
  pull?: boolean;
  quiet?: boolean;
  rm: boolean;
  forceRm?: boolean;
  iidfile?: string;
  network: string;
  target?: string;
  platform?: string;
  /** docker's classic-builder flags berth does not honour, by flag; any value given is refused. */
  unsupported: Record<string, unknown>;
}

/** Flags of docker 28's classic `build` berth has no equivalent for, with docker's usage: offered so that using one says so, instead of "unknown option". */
export const UNSUPPORTED_BUILD_FLAGS: Record<string, string> = {
  '--add-host <list>': 'Add a custom host-to-IP mapping ("host:ip")',
  '--cache-from <strings>': 'Images to consider as cache sources',
  '--cgroup-parent <string>': 'Set the parent cgroup for the "RUN" instructions during build',
  '--compress': 'Compress the build context using gzip',
  '--cpu-period <int>': 'Limit the CPU CFS (Completely Fair Scheduler) period',
  '--cpu-quota <int>': 'Limit the CPU CFS (Completely Fair Scheduler) quota',
  '-c, --cpu-shares <int>': 'CPU shares (relative weight)',
  '--cpuset-cpus <string>': 'CPUs in which to allow execution (0-3, 0,1)',
  '--cpuset-mems <string>': 'MEMs in which to allow execution (0-3, 0,1)',
  '--isolation <string>': 'Container isolation technology',
  '-m, --memory <bytes>': 'Memory limit',
  '--memory-swap <bytes>': 'Swap limit equal to memory plus swap: -1 to enable unlimited swap',
  '--security-opt <strings>': 'Security options',
  '--shm-size <bytes>': 'Size of "/dev/shm"',
  '--squash': 'Squash newly built layers into a single new layer',
  '--ulimit <ulimit>': 'Ulimit options (default [])',
};

/** docker's opts.ValidateEnv for --build-arg: a bare NAME takes its value from the environment when it is set there. */
function buildArgFromEnv(env: NodeJS.ProcessEnv): (value: string) => string {
  return (value) => {
    const eq = value.indexOf('=');
    const name = eq < 0 ? value : value.slice(0, eq);
    if (name === '') throw new Error(`invalid environment variable: ${value}`);
    if (eq >= 0) return value;
    const fromEnv = env[name];
    return fromEnv === undefined ? value : `${name}=${fromEnv}`;
  };
}

/** ConvertKVStringsToMapWithNil: a NAME still without a value is sent as null (declared, not set). */
export function buildArgs(flags: string[], env: NodeJS.ProcessEnv): Record<string, string | null> {
  const args: Record<string, string | null> = {};
  for (const arg of validateEach('--build-arg', flags, buildArgFromEnv(env))) {
    const eq = arg.indexOf('=');
    if (eq < 0) args[arg] = null;
    else args[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return args;
}

/** The query options of `POST /build` from the flags, refusing the flags berth does not honour. */
export function buildOptions(flags: BuildFlags, env: NodeJS.ProcessEnv): BuildOptions {
  const refused = Object.entries(flags.unsupported).find(([, value]) => value !== undefined);
  if (refused) {
    const [flag, value] = refused;
    throw new FlagValueError(`--${flag}`, String(value), "not supported by berth's builder");
  }
  if (flags.platform !== undefined && !/^[a-z0-9_-]+(\/[a-z0-9_.-]+){0,2}$/i.test(flags.platform)) {
    throw new InvalidArgumentError(`"${flags.platform}": unknown operating system or architecture: invalid argument`);
  }
  return {
    tags: flags.tag,
    quiet: flags.quiet === true,
    noCache: flags.noCache === true,
    pull: flags.pull === true,
    remove: flags.rm,
    forceRemove: flags.forceRm === true,
    buildArgs: buildArgs(flags.buildArg, env),
    labels: keyValueMap(validateEach('--label', flags.label, validateLabel)),
    networkMode: flags.network,
    ...(flags.target !== undefined && { target: flags.target }),
    ...(flags.platform !== undefined && { platform: flags.platform }),
  };
}
