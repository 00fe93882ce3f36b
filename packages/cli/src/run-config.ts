import type { Command } from 'commander';
import type { ContainerCreateRequest } from '@berth/api';
import { applyMountFlags, type MountFlags } from './mount-flags.js';
import { applyNetworkFlags, withNetworkOptions, type NetworkFlags } from './network-flags.js';
import { collect } from './repeatable-flags.js';

export interface RunOptions extends MountFlags, NetworkFlags {
  rm?: boolean;
  detach?: boolean;
  name?: string;
  env: string[];
  workdir?: string;
  entrypoint?: string;
  interactive?: boolean;
  tty?: boolean;
}

/** The container-config flags `run` and `create` share (all of RunOptions but --rm and --detach). */
export function withContainerConfigOptions(command: Command): Command {
  return withNetworkOptions(command)
    .option('--name <string>', 'Assign a name to the container')
    .option('-e, --env <list>', 'Set environment variables', collect, [])
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-v, --volume <list>', 'Bind mount a volume', collect, [])
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect, [])
    .option('--tmpfs <list>', 'Mount a tmpfs directory', collect, [])
    .option('--volumes-from <list>', 'Mount volumes from the specified container(s)', collect, []);
}

/** The create request `docker run` sends for these flags. */
export function buildRunConfig(image: string, command: string[], options: RunOptions, env: NodeJS.ProcessEnv): ContainerCreateRequest {
  const attached = !options.detach;
  const interactive = Boolean(options.interactive);
  const config: ContainerCreateRequest = {
    Image: image,
    Tty: Boolean(options.tty),
    OpenStdin: interactive,
    StdinOnce: interactive && attached,
    AttachStdin: interactive && attached,
    AttachStdout: attached,
    AttachStderr: attached,
    Env: options.env.map((entry) => resolveEnv(entry, env)),
    HostConfig: { AutoRemove: Boolean(options.rm) },
  };
  if (command.length) config.Cmd = command;
  // An empty --entrypoint is meaningful: it clears the image's entrypoint.
  if (options.entrypoint !== undefined) config.Entrypoint = [options.entrypoint];
  if (options.workdir) config.WorkingDir = options.workdir;
  applyMountFlags(config, options);
  applyNetworkFlags(config, options);
  return config;
}

/** `-e NAME` without a value takes NAME from the CLI's environment, as docker does. */
function resolveEnv(entry: string, env: NodeJS.ProcessEnv): string {
  if (entry.includes('=')) return entry;
  const value = env[entry];
  return value === undefined ? entry : `${entry}=${value}`;
}
