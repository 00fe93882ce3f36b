import type { Command } from 'commander';
import { InvalidArgumentError, type ContainerCreateRequest } from '@berth/api';
import { deviceConfig, withDeviceOptions, type DeviceFlags } from './device-flags.js';
import { validateEach } from './flag-value-error.js';
import { parseKvFile } from './kv-file.js';
import { applyMountFlags, type MountFlags } from './mount-flags.js';
import { applyNetworkFlags, withNetworkOptions, type NetworkFlags } from './network-flags.js';
import { collect, validateLabel } from './repeatable-flags.js';
import { parseIntFlag, resourceConfig, withResourceOptions, type ResourceFlags } from './resource-flags.js';
import { securityConfig, withSecurityOptions, type SecurityFlags } from './security-flags.js';

export interface RunOptions extends MountFlags, NetworkFlags, ResourceFlags, DeviceFlags, SecurityFlags {
  rm?: boolean;
  detach?: boolean;
  name?: string;
  env: string[];
  envFile?: string[];
  workdir?: string;
  entrypoint?: string;
  interactive?: boolean;
  tty?: boolean;
  attach?: string[];
  label?: string[];
  labelFile?: string[];
  user?: string;
  stopSignal?: string;
  stopTimeout?: string;
  logDriver?: string;
  logOpt?: string[];
  storageOpt?: string[];
  volumeDriver?: string;
  annotation?: string[];
  cidfile?: string;
}

/** The container-config flags `run` and `create` share (all of RunOptions but --rm and --detach). */
export function withContainerConfigOptions(command: Command): Command {
  withSecurityOptions(withDeviceOptions(withResourceOptions(withNetworkOptions(command))));
  return command
    .option('--name <string>', 'Assign a name to the container')
    .option('-a, --attach <list>', 'Attach to STDIN, STDOUT or STDERR', collect, [])
    .option('--annotation <map>', 'Add an annotation to the container (passed through to the OCI runtime) (default map[])', collect, [])
    .option('--cidfile <string>', 'Write the container ID to the file')
    .option('-e, --env <list>', 'Set environment variables', collect, [])
    .option('--env-file <list>', 'Read in a file of environment variables', collect, [])
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-l, --label <list>', 'Set meta data on a container', collect, [])
    .option('--label-file <list>', 'Read in a line delimited file of labels', collect, [])
    .option('--log-driver <string>', 'Logging driver for the container')
    .option('--log-opt <list>', 'Log driver options', collect, [])
    .option('--stop-signal <string>', 'Signal to stop the container')
    .option('--stop-timeout <int>', 'Timeout (in seconds) to stop a container')
    .option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits')
    .option('--storage-opt <list>', 'Storage driver options for the container', collect, [])
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('-v, --volume <list>', 'Bind mount a volume', collect, [])
    .option('--volume-driver <string>', 'Optional volume driver for the container')
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect, [])
    .option('--tmpfs <list>', 'Mount a tmpfs directory', collect, [])
    .option('--volumes-from <list>', 'Mount volumes from the specified container(s)', collect, []);
}

/** `key=value` entries as a map, the last of a key winning (docker/cli ConvertKVStringsToMap). */
function kvMap(entries: string[]): Record<string, string> {
  return Object.fromEntries(entries.map((entry) => (entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry, ''])));
}

/** docker/cli validateAttach: stdin, stdout or stderr in any case. */
function validateAttach(stream: string): string {
  const lower = stream.toLowerCase();
  if (!['stdin', 'stdout', 'stderr'].includes(lower)) throw new Error('valid streams are STDIN, STDOUT and STDERR');
  return lower;
}

/** docker/cli opts.ValidateEnv: `NAME` alone takes its value from the CLI's environment when it has one. */
function validateEnv(entry: string, env: NodeJS.ProcessEnv): string {
  const eq = entry.indexOf('=');
  if ((eq < 0 ? entry : entry.slice(0, eq)) === '') throw new Error(`invalid environment variable: ${entry}`);
  if (eq >= 0) return entry;
  const value = env[entry];
  return value === undefined ? entry : `${entry}=${value}`;
}

/** The `-e` values after docker's map of them: one entry a name, the last value given winning. */
function dedupeEnv(entries: string[]): string[] {
  const byName = new Map<string, string>();
  for (const entry of entries) byName.set(entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry, entry);
  return [...byName.values()];
}

/** Config.Env: the --env-file lines, then the -e values. */
function containerEnv(options: RunOptions, env: NodeJS.ProcessEnv): string[] | null {
  const flags = dedupeEnv(validateEach('-e, --env', options.env, (entry) => validateEnv(entry, env)));
  const fromFiles = (options.envFile ?? []).flatMap((file) => parseKvFile(file, (key) => env[key]));
  const all = [...fromFiles, ...flags];
  return all.length ? all : null;
}

/** HostConfig.LogConfig; the none driver takes no options. */
function logConfig(options: RunOptions): { Type: string; Config: Record<string, string> } {
  const opts = options.logOpt ?? [];
  if (options.logDriver === 'none' && opts.length) throw new InvalidArgumentError('invalid logging opts for driver none');
  return { Type: options.logDriver ?? '', Config: kvMap(opts) };
}

function storageOpts(opts: string[]): Record<string, string> {
  for (const opt of opts) if (!opt.includes('=')) throw new InvalidArgumentError('invalid storage option');
  return kvMap(opts);
}

/** Config's attach and stdin fields for -a, -i and -d, as docker/cli parse and runContainer set them. */
function attachConfig(options: RunOptions): Pick<ContainerCreateRequest, 'AttachStdin' | 'AttachStdout' | 'AttachStderr' | 'StdinOnce'> {
  const streams = new Set(validateEach('-a, --attach', options.attach, validateAttach));
  // run refuses -a with -d once the request is built (commands/run.ts), as docker does.
  if (options.detach) {
    return { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false };
  }
  const stdin = streams.has('stdin') || Boolean(options.interactive);
  return {
    AttachStdin: stdin,
    AttachStdout: streams.size === 0 || streams.has('stdout'),
    AttachStderr: streams.size === 0 || streams.has('stderr'),
    StdinOnce: stdin && Boolean(options.interactive),
  };
}

/** The create request `docker run` / `docker create` sends for these flags, with docker's zero values. */
export function buildRunConfig(image: string, command: string[], options: RunOptions, env: NodeJS.ProcessEnv): ContainerCreateRequest {
  const labels = [
    ...(options.labelFile ?? []).flatMap((file) => parseKvFile(file)),
    ...validateEach('-l, --label', options.label, validateLabel),
  ];
  const annotations = kvMap(options.annotation ?? []);
  const storage = storageOpts(options.storageOpt ?? []);
  const { StdinOnce, ...attach } = attachConfig(options);
  const config: ContainerCreateRequest = {
    User: options.user ?? '',
    ...attach,
    Tty: Boolean(options.tty),
    OpenStdin: Boolean(options.interactive),
    StdinOnce,
    Env: containerEnv(options, env),
    Cmd: command.length ? command : null,
    Image: image,
    Volumes: {},
    WorkingDir: options.workdir ?? '',
    // An empty --entrypoint is meaningful: it clears the image's entrypoint.
    Entrypoint: options.entrypoint === undefined ? null : [options.entrypoint],
    Labels: kvMap(labels),
    ...(options.stopSignal ? { StopSignal: options.stopSignal } : {}),
    ...(options.stopTimeout !== undefined ? { StopTimeout: parseIntFlag(options.stopTimeout, '--stop-timeout') } : {}),
    HostConfig: {
      Binds: null,
      ContainerIDFile: options.cidfile ?? '',
      LogConfig: logConfig(options),
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: Boolean(options.rm),
      VolumeDriver: options.volumeDriver ?? '',
      VolumesFrom: null,
      ConsoleSize: [0, 0],
      ...(Object.keys(annotations).length ? { Annotations: annotations } : {}),
      ...securityConfig(options),
      Cgroup: '',
      ...(Object.keys(storage).length ? { StorageOpt: storage } : {}),
      ...resourceConfig(options),
      ...deviceConfig(options),
    },
  };
  applyMountFlags(config, options);
  applyNetworkFlags(config, options);
  return config;
}
